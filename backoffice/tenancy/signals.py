from django.dispatch import Signal

# Sent inside the sign-up transaction, with the new business in context, so
# each app can create what a new business needs (consumidor final, sequences).
business_created = Signal()  # kwargs: business
