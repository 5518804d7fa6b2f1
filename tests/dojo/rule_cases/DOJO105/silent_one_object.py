async def customer_of(order: Order) -> Customer:
    return await order.awaitable_attrs.customer
