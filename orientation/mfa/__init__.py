"""Two-factor authentication with TOTP (django-otp): set-up, the verify step after the password,
and the middleware that forces it on the roles in ``settings.OTP_REQUIRED_ROLES``."""
