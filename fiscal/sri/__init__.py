"""SRI electronic invoicing core: plain Python, no Django models.

access_key (clave de acceso), documents (dataclasses the sales engine fills),
xml (build + XSD validation), signing (XAdES-BES), soap (web-service client)
and ride (A4 PDF).
"""
