"""The one exception type users catch for bad component input."""


class ServiceTokenConfigError(ValueError):
    """A component argument or stack setting is invalid.

    The message names the field, says what is wrong with the value and how to fix it. It never
    contains a client secret or an API token.
    """
