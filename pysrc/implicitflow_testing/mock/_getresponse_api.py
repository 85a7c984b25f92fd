"""GetResponse API v3 as a client sees it: error bodies, rate-limit headers, sample resources.

Facts from GetResponse's published OpenAPI file and its own open-source clients;
see the README's "How faithful is the mock" for what is unconfirmed.
"""

import uuid

#: GetResponse's codeDescription for each error code a client may meet.
CODE_DESCRIPTIONS = {
    1000: "General error of validation process, more details should be in context section",
    1013: "Resource not found",
    1014: "Problem during authentication process, check headers!",
    1015: "Quota reached",
    1016: "Temporary blocked",
    1017: "Permanently blocked",
    1018: "Blocked by IP",
    1021: "Problem with request headers",
}
DEFAULT_MESSAGES = {
    1000: "Validation error",
    1013: "Resource not found",
    1014: "Unable to authenticate request. Check credentials or authentication method details",
    1015: "You've reached your API quota limit. Please wait before making another request.",
    1016: "Your account is temporarily blocked",
    1017: "Your account is permanently blocked",
    1018: "Your IP was blocked",
    1021: "Problem with request headers",
}
EXPIRED_TOKEN_MESSAGE = "The access token provided is expired"

#: 30,000 calls per 10 minutes (GetResponse's documented limit).
RATE_LIMIT = 30000
RATE_WINDOW_SECONDS = 600


def error_body(http_status, code, message=None, context=None):
    """GetResponse's error body: all seven fields its schema requires."""
    return {
        "httpStatus": http_status,
        "code": code,
        "codeDescription": CODE_DESCRIPTIONS.get(code, "Error"),
        "message": message or DEFAULT_MESSAGES.get(code, "Error"),
        "moreInfo": f"https://apidocs.getresponse.com/v3/errors/{code}",
        "context": context if context is not None else {},
        "uuid": str(uuid.uuid4()),
    }


def rate_limit_headers(remaining, seconds_to_reset):
    return {
        "X-RateLimit-Limit": str(RATE_LIMIT),
        "X-RateLimit-Remaining": str(max(0, remaining)),
        "X-RateLimit-Reset": f"{max(0, int(seconds_to_reset))} seconds",
    }


def account(base_url):
    return {
        "accountId": "VfEy1",
        "email": "ada.lovelace@example.com",
        "firstName": "Ada",
        "lastName": "Lovelace",
        "companyName": "Analytical Engines Ltd",
        "phone": "+441234567890",
        "state": "",
        "city": "London",
        "street": "12 St James's Square",
        "zipCode": "SW1Y 4JH",
        "countryCode": {"countryCodeId": "229", "countryCode": "GB"},
        "industryTag": {"industryTagId": None},
        "numberOfEmployees": "10",
        "timeFormat": "24h",
        "timeZone": {"name": "Europe/London", "offset": "+00:00"},
        "href": f"{base_url}/v3/accounts",
    }


def from_fields(base_url):
    names = [
        ("TTzW", "Ada Lovelace", "ada.lovelace@example.com", "true"),
        ("TTz2", "Newsletter", "news@example.com", "false"),
        ("TTz7", "Support", "support@example.com", "false"),
        ("TTzk", "Billing", "billing@example.com", "false"),
        ("TTzq", "Events", "events@example.com", "false"),
    ]
    return [
        {
            "fromFieldId": field_id,
            "href": f"{base_url}/v3/from-fields/{field_id}",
            "email": email,
            "name": name,
            "isActive": "true",
            "isDefault": default,
            "createdOn": f"2024-01-0{index + 1}T09:00:00+0000",
        }
        for index, (field_id, name, email, default) in enumerate(names)
    ]
