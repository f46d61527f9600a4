"""The users service: accounts, password hashing, bearer tokens."""

from store.users.service import UsersService

__all__ = ["UsersService"]
