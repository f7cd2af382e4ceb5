from . import test_demo, test_install
