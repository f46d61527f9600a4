"""The users service: accounts, password hashing, bearer tokens."""

from stampede.store.users.service import UsersService

__all__ = ["UsersService"]
