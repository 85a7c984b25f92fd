"""GetResponse API v3 as a client sees it: error bodies, rate-limit headers, sample resources.

Sources: GetResponse's published OpenAPI file (https://apireference.getresponse.com/open-api.json:
its introduction on limits and authentication, and each operation's error examples), the API docs
pages (apidocs.getresponse.com/v3/limits, /v3/authentication) and GetResponse's own clients
(GetResponse/sdk-php, GetResponse/oauth2-getresponse). The README's "How faithful it is" lists
what these sources leave open and what the mock does there.
"""

import uuid

from implicitflow_testing.mock._models import ACCOUNT, Account

#: codeDescription and default message per error code, as in the OpenAPI operation examples
#: (1000, 1013, 1014, 1015) or the errors page (the rest).
CODE_DESCRIPTIONS = {
    1000: "General error of validation process, more details should be in context section",
    1013: "The requested resource was not found",
    1014: "Problem during authentication process, check headers!",
    1015: "Too many request to API, quota reached, please wait till next quota window",
    1016: "Temporary blocked",
    1017: "Permanently blocked",
    1018: "Blocked by IP",
    1021: "Problem with request headers",
}
DEFAULT_MESSAGES = {
    1000: "Validation error, see context section for more information",
    1013: "Resource not found",
    1014: "Unable to authenticate request. Check credentials or authentication method details",
    1015: "You have reached your requests limit for this time window, please wait...",
    1016: "Your account is temporarily blocked",
    1017: "Your account is permanently blocked",
    1018: "Your IP was blocked",
    1021: "Problem with request headers",
}
#: The HTTP status of each code in the OpenAPI examples (1014: 401 there, 403 on the errors page).
STATUS_BY_CODE = {1000: 400, 1013: 404, 1014: 401, 1015: 429, 1021: 400}
#: The Refresh Token flow's example in the OpenAPI introduction, which echoes the expired token
#: back in `context.sentToken`.
EXPIRED_TOKEN_MESSAGE = "The access token provided is expired"
#: The `X-Auth-Token` value of API-key authentication: "api-key <key>" (GetResponse/sdk-php
#: src/Authentication/ApiKey.php, HEADER_PREFIX; apidocs.getresponse.com/v3/authentication).
API_KEY_PREFIX = "api-key "

#: "Each user is allowed to make 30,000 API calls per time frame (10 minutes) and 80 API calls per
#: second"; "up to 10 simultaneous requests" (apidocs.getresponse.com/v3/limits).
RATE_LIMIT = 30000
RATE_WINDOW_SECONDS = 600
CALLS_PER_SECOND = 80
SIMULTANEOUS_CALLS = 10
#: The wait a forced quota error names: the OpenAPI 429 example's timeToReset ("100 seconds").
#: Fixed, so a test can assert it, and named alike in the body and every header.
FORCED_QUOTA_RESET_SECONDS = 100


def error_body(http_status, code, message=None, context=None):
    """GetResponse's error body: all seven fields its schema requires.

    An empty context is `[]`: the API is PHP, whose JSON encoder writes an empty array so (the Go
    client devimteam/go-getresponse even types `context` as a list). `moreInfo` has the form of
    the OpenAPI operation examples.
    """
    return {
        "httpStatus": http_status,
        "code": code,
        "codeDescription": CODE_DESCRIPTIONS.get(code, "Error"),
        "message": message or DEFAULT_MESSAGES.get(code, "Error"),
        "moreInfo": f"https://apidocs.getresponse.com/en/v3/errors/{code}",
        "context": context or [],
        "uuid": str(uuid.uuid4()),
    }


def rate_limit_headers(remaining, seconds_to_reset):
    """X-RateLimit-Reset is a string such as "432 seconds" (the OpenAPI RateLimitReset header)."""
    return {
        "X-RateLimit-Limit": str(RATE_LIMIT),
        "X-RateLimit-Remaining": str(max(0, remaining)),
        "X-RateLimit-Reset": f"{reset_seconds(seconds_to_reset)} seconds",
    }


def reset_seconds(seconds_to_reset):
    """Whole seconds until a window resets, rounded up: a client waiting that long is on time."""
    return max(1, -int(-seconds_to_reset // 1))


def account(base_url, who: Account = ACCOUNT):
    """`GET /v3/accounts`: the account, with every field of the OpenAPI Account schema."""
    return {
        "accountId": who.account_id,
        "email": who.email,
        "firstName": who.first_name,
        "lastName": who.last_name,
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


def from_fields(base_url, who: Account = ACCOUNT):
    """The account's 'From' addresses, with every field of the OpenAPI FromField schema."""
    names = [
        ("TTzW", who.name, who.email, "true"),
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
            "rewrittenEmail": None,  # nullable: set when GetResponse sends from another address
            "name": name,
            "isActive": "true",
            "isDefault": default,
            "createdOn": f"2024-01-0{index + 1}T09:00:00+0000",
            "domain": {"status": "confirmed", "DKIMWarning": None, "hasDMARCWarning": "false"},
        }
        for index, (field_id, name, email, default) in enumerate(names)
    ]


#: The text fields a test may have the API answer with its own text (`set_api_text`): what an
#: app shows of an account and of its from-fields, and so what it must show as text.
API_TEXT_FIELDS = {"account": ("firstName", "lastName", "email", "companyName"),
                   "from_field": ("name", "email")}


def select_fields(resource, fields, id_field):
    """The `fields=` parameter: "List of fields that should be returned. Id is always returned.
    Fields should be separated by comma" (OpenAPI parameter Fields). Unknown names are ignored."""
    if not fields:
        return resource
    wanted = {name.strip() for name in fields.split(",")} | {id_field}
    return {name: value for name, value in resource.items() if name in wanted}
