"""``makemessages`` that also finds the msgids of ``core.audit.Message("…", **params)``.

Notices and audit summaries are stored as a msgid with parameters and translated when read (issue 7,
point 4); their msgids must be in the catalogue like any ``gettext`` call.
"""

from django.core.management.commands.makemessages import Command as MakeMessagesCommand


class Command(MakeMessagesCommand):
    xgettext_options = [*MakeMessagesCommand.xgettext_options, "--keyword=Message"]
