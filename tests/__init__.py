from . import test_demo, test_followup_config, test_followup_demo, test_followup_state, test_install
