def apply(migrations: list[Migration]) -> None:
    for migration in migrations:
        migration.commit()
