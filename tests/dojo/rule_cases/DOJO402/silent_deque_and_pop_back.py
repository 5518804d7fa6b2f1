def drain(queue: deque[Job], stack: list[Job]) -> list[Job]:
    done = [queue.popleft() for _ in range(len(queue))]
    done.append(stack.pop())
    return done
