async def all_lines(orders: list[Order]) -> list[list[OrderLine]]:
    return [await order.awaitable_attrs.lines for order in orders]  # expect: DOJO105
