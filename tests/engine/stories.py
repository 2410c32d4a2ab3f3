"""What more than one engine scenario deploys, named once."""

from typing import Any, Final

# A root-stack token with everything the root stack can give one: a renewal window, an Access
# policy that lets it in, and an alert before it expires.
CI_TOKEN: Final[dict[str, Any]] = {
    "name": "CI/CD app",
    "minDaysForRenewal": 30,
    "serviceAuthPolicyName": "CI/CD may reach internal apps",
    "expiryAlertEmails": ["ops@example.com"],
}
