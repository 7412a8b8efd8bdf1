"""The foundation every app stands on: no models, no tenancy, no views.

Pure money and IVA arithmetic (`money`, `taxes`, `calc`), the SRI code tables
(`sri_codes`), the base of every domain error (`errors`) and the bulk SQL
helpers (`bulk`). Anything may import `core`; `core` imports none of our apps
(the import contracts in `.importlinter` check it).
"""
