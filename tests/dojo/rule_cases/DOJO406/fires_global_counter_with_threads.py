done = 0


def work(items: list[int]) -> None:
    global done
    for _ in items:
        done += 1  # expect: DOJO406


def run(batches: list[list[int]]) -> None:
    threads = [threading.Thread(target=work, args=(batch,)) for batch in batches]
    for thread in threads:
        thread.start()
