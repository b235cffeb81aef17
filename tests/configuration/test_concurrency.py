import threading

import pytest
from django.db import connection

from configuration import services
from configuration.models import ConfigurationItem


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_parallel_writers_on_one_version(make_user):
    writers = [make_user(f"writer{i}", roles=["engineering"]) for i in range(20)]
    services.config_item_set(environment="staging", key="gateway.rate_limit.default", value=1, base_version=0,
                             reason="start", acting_user=writers[0])
    barrier = threading.Barrier(20)
    outcomes = []
    lock = threading.Lock()

    def write(index):
        try:
            barrier.wait(timeout=10)
            services.config_item_set(environment="staging", key="gateway.rate_limit.default", value=100 + index,
                                     base_version=1, reason=f"writer {index}", acting_user=writers[index])
            result = ("won", index)
        except services.StaleVersionError as exc:
            result = ("conflict", exc.conflicts[0]["message"])
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    winners = [o for o in outcomes if o[0] == "won"]
    conflicts = [o for o in outcomes if o[0] == "conflict"]
    assert len(winners) == 1 and len(conflicts) == 19
    winner = winners[0][1]
    item = ConfigurationItem.objects.get(environment="staging", key="gateway.rate_limit.default")
    assert (item.value, item.version) == (100 + winner, 2)
    assert all(f"changed to v2 by writer{winner}" in message for _, message in conflicts)
    # no lost update: history has exactly the start and the winner
    assert list(item.history.order_by("history_id").values_list("value", flat=True)) == [1, 100 + winner]
    assert services.config_current_revision("staging") == 2
