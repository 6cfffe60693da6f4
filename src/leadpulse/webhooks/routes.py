"""``/api/webhooks``: subscriptions (secret shown once), their deliveries, redelivery, ping."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from leadpulse.api.deps import ContainerDep, Id, PageLimit, PageOffset, ServerDep
from leadpulse.api.schemas import Page
from leadpulse.webhooks import schemas, service

router = APIRouter(prefix="/api/webhooks", tags=["webhooks"])


@router.get("", response_model=Page[schemas.WebhookRead])
async def list_webhooks(
    caller: ServerDep, c: ContainerDep, limit: PageLimit = 50, offset: PageOffset = 0
) -> Page[schemas.WebhookRead]:
    """List the project's webhook subscriptions, newest first."""
    async with c.db.sessions() as session:
        rows, total = await service.list_subscriptions(
            session, project_id=caller.project_id, limit=limit, offset=offset
        )
    items = [schemas.WebhookRead.model_validate(r) for r in rows]
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=schemas.WebhookCreated)
async def create_webhook(
    body: schemas.WebhookCreate, caller: ServerDep, c: ContainerDep
) -> schemas.WebhookCreated:
    """Subscribe a URL to events; the response shows the signing secret, once."""
    warning = await service.check_target(c.settings, url=body.url, loc="body.url")  # DNS
    async with c.db.transaction() as session:
        row = await service.create_subscription(
            session,
            project_id=caller.project_id,
            url=body.url,
            events=list(body.events),
            active=body.active,
        )
    created = schemas.WebhookCreated.model_validate(row)
    return created.model_copy(update={"warnings": [warning] if warning else []})


@router.get("/{webhook_id}", response_model=schemas.WebhookRead)
async def get_webhook(webhook_id: Id, caller: ServerDep, c: ContainerDep) -> schemas.WebhookRead:
    """Read one subscription (without its secret)."""
    async with c.db.sessions() as session:
        row = await service.get_subscription(
            session, project_id=caller.project_id, subscription_id=webhook_id
        )
    return schemas.WebhookRead.model_validate(row)


@router.patch("/{webhook_id}", response_model=schemas.WebhookSaved)
async def update_webhook(
    webhook_id: Id, body: schemas.WebhookUpdate, caller: ServerDep, c: ContainerDep
) -> schemas.WebhookSaved:
    """Change a subscription's URL, events or active flag."""
    changes = body.model_dump(exclude_unset=True)
    warning = await service.check_changes(c.settings, changes)  # before the transaction: DNS
    async with c.db.transaction() as session:
        row = await service.update_subscription(
            session, project_id=caller.project_id, subscription_id=webhook_id, changes=changes
        )
    saved = schemas.WebhookSaved.model_validate(row)
    return saved.model_copy(update={"warnings": [warning] if warning else []})


@router.delete("/{webhook_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_webhook(webhook_id: Id, caller: ServerDep, c: ContainerDep) -> Response:
    """Delete a subscription and its delivery log."""
    async with c.db.transaction() as session:
        await service.delete_subscription(
            session, project_id=caller.project_id, subscription_id=webhook_id
        )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/{webhook_id}/deliveries", response_model=Page[schemas.DeliveryRead])
async def list_deliveries(
    webhook_id: Id,
    caller: ServerDep,
    c: ContainerDep,
    limit: PageLimit = 50,
    offset: PageOffset = 0,
    status_: Annotated[schemas.DeliveryStatus | None, Query(alias="status")] = None,
) -> Page[schemas.DeliveryRead]:
    """List a subscription's deliveries, newest first."""
    async with c.db.sessions() as session:
        rows, total = await service.list_deliveries(
            session,
            project_id=caller.project_id,
            subscription_id=webhook_id,
            limit=limit,
            offset=offset,
            status=status_,
        )
    items = [schemas.DeliveryRead.model_validate(r) for r in rows]
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.post(
    "/{webhook_id}/deliveries/{delivery_id}/redeliver",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=schemas.DeliveryRead,
)
async def redeliver(
    webhook_id: Id, delivery_id: Id, caller: ServerDep, c: ContainerDep
) -> schemas.DeliveryRead:
    """Queue a delivery again (same webhook-id, fresh attempts)."""
    async with c.db.transaction() as session:
        row = await service.redeliver(
            session,
            project_id=caller.project_id,
            subscription_id=webhook_id,
            delivery_id=delivery_id,
        )
    return schemas.DeliveryRead.model_validate(row)


@router.post(
    "/{webhook_id}/test", status_code=status.HTTP_202_ACCEPTED, response_model=schemas.DeliveryRead
)
async def send_test(webhook_id: Id, caller: ServerDep, c: ContainerDep) -> schemas.DeliveryRead:
    """Queue a ``ping`` message to the subscription."""
    async with c.db.transaction() as session:
        row = await service.send_test(
            session, project_id=caller.project_id, subscription_id=webhook_id
        )
    return schemas.DeliveryRead.model_validate(row)
