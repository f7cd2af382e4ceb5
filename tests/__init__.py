from . import test_demo
from . import test_install
from . import test_tours
from . import test_views
