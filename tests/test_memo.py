"""Values kept per worker process by the object they come from (carbon.memo.Kept)."""

from carbon.memo import Kept


def test_kept_values_follow_the_owner_and_the_key_and_drop_the_oldest():
    kept: Kept[int] = Kept(2)
    calls = []

    def compute(value):
        calls.append(value)
        return value

    a, b, c = [1], [1], [1]  # equal content, three owners
    assert kept.get(a, ("x",), lambda: compute(10)) == 10
    assert kept.get(a, ("x",), lambda: compute(99)) == 10  # kept: not computed again
    assert kept.get(a, ("y",), lambda: compute(20)) == 20  # another key
    assert kept.get(b, ("x",), lambda: compute(30)) == 30  # another owner, equal content
    # size 2: (a, x) was the oldest and is gone; (a, y) and (b, x) stay
    assert kept.get(a, ("y",), lambda: compute(99)) == 20
    assert kept.get(a, ("x",), lambda: compute(40)) == 40
    assert calls == [10, 20, 30, 40]
    assert kept.get(c, ("x",), lambda: compute(50)) == 50
