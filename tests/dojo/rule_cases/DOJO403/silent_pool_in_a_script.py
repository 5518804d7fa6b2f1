def main(paths: list[Path]) -> None:
    with ProcessPoolExecutor() as pool:
        for digest in pool.map(digest_file, paths):
            print(digest)
