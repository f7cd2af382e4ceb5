from . import test_demo
from . import test_demo_penalties
from . import test_install
from . import test_invoice_mentions
from . import test_late_payment_penalties
from . import test_late_payment_rate
from . import test_tours
from . import test_views
