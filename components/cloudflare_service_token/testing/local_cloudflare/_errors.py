"""The stand-in's one error type: every refusal and failed call, worded for the person running
the test or demo, and never carrying a credential or a client secret."""


class LocalCloudflareError(Exception):
    """Something the local Cloudflare stand-in refused or could not do. Safe to show."""
