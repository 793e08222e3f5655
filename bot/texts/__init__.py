"""Every Indonesian text the bot shows, as HTML, one module per area; user text is escaped here.

`from bot import texts` gives the whole catalogue, so a language review reads one place and
callers need not know which area a text belongs to.
"""

from bot.texts.admin import *  # noqa: F403
from bot.texts.arahan import *  # noqa: F403
from bot.texts.calendar import *  # noqa: F403
from bot.texts.common import *  # noqa: F403
from bot.texts.digest import *  # noqa: F403
from bot.texts.incidents import *  # noqa: F403
from bot.texts.kerawanan import *  # noqa: F403
from bot.texts.kinerja import *  # noqa: F403
from bot.texts.layout import *  # noqa: F403
from bot.texts.logistics import *  # noqa: F403
from bot.texts.reading import *  # noqa: F403
from bot.texts.registry import *  # noqa: F403
from bot.texts.reports import *  # noqa: F403
