from engine.batching import next_size


def test_the_next_batch_aims_at_the_budget():
    assert next_size(10, 40.0, 20.0, 500) == 5      # 4 s each: 5 in 20 s
    assert next_size(10, 10.0, 20.0, 500) == 20     # 1 s each: 20 in 20 s


def test_the_next_batch_grows_at_most_twofold_and_stays_in_bounds():
    assert next_size(10, 1.0, 20.0, 500) == 20      # 0.1 s each: at most double
    assert next_size(10, 400.0, 20.0, 500) == 1     # 40 s each: never less than one
    assert next_size(400, 1.0, 20.0, 500) == 500    # never more than the maximum
    assert next_size(10, 0.0, 20.0, 500) == 20      # too fast to measure: double
