"""SRI electronic invoicing core: plain Python, no Django models.

access_key (clave de acceso), documents (the dataclasses the sales engine
fills), payload (their JSON form), xml (build + XSD validation), pkcs12 and
signing (XAdES-BES), soap (web-service client), ride (A4 PDF), ats (Anexo
Transaccional Simplificado) and schemas (our XSDs in xsd/, or the official ones).
"""
