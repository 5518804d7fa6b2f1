def drain(queue: list[Job]) -> list[Job]:
    done = []
    while queue:
        done.append(queue.pop(0))  # expect: DOJO402
    return done
