async def order_names(orders: list[Order]) -> list[str]:
    names = []
    for order in orders:
        customer = await order.awaitable_attrs.customer  # expect: DOJO105
        names.append(customer.name)
    return names
