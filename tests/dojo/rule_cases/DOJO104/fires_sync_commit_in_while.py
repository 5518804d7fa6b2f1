def drain(session: Session, queue: Queue[Job]) -> None:
    while not queue.empty():
        session.add(queue.get())
        session.commit()  # expect: DOJO104
