"""The notifications service: e-mail, SMS and push, recorded rather than sent."""

from stampede.store.notifications.service import Notification, NotificationsService

__all__ = ["Notification", "NotificationsService"]
