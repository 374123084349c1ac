"""Every account's address is verified and primary in allauth's table.

Addresses are managed by the bureau (an invitation reaches the address, or the
bureau typed it): allauth must see them verified, or it refuses a second factor.
"""

from django.db.models.signals import post_save


def verified_address(sender, instance, created, raw=False, update_fields=None, **kwargs):
    if update_fields is not None and "email" not in update_fields:
        return  # e.g. last_login on every login
    if raw or not instance.email or instance.email.endswith("@anonyme.invalid"):
        return
    from allauth.account.models import EmailAddress

    addresses = EmailAddress.objects.filter(user=instance)
    if addresses.filter(email__iexact=instance.email, verified=True, primary=True).exists():
        return
    addresses.exclude(email__iexact=instance.email).delete()
    address, _created = EmailAddress.objects.get_or_create(
        user=instance, email=instance.email, defaults={"verified": True, "primary": True}
    )
    if not (address.verified and address.primary):
        address.verified = address.primary = True
        address.save(update_fields=["verified", "primary"])


def connect():
    from .models import User

    post_save.connect(verified_address, sender=User, dispatch_uid="innovalo_verified_address")
