"""Names and codes AWS gives to things the kit relies on (pure: importing it calls nothing)."""

ACCESS_ROLE = "OrganizationAccountAccessRole"
"""The role Organizations creates in every account it creates, trusted by the management
account: the kit works in member accounts through it."""

NO_SUCH_QUEUE = ("AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist")
"""SQS's code for a queue that is not there: the query protocol's, then the JSON one's."""
