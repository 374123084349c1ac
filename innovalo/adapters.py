from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    """Accounts are not self-service: people join through an invitation."""

    def is_open_for_signup(self, request):
        return False
