"""What run.json keeps of the command line: everything but the secrets."""

from __future__ import annotations

from stampede.app.commands.run import recorded_command


def test_passwords_and_the_admin_token_are_masked_and_the_rest_is_kept() -> None:
    args = [
        "flash-sale",
        "--scale",
        "0.01",
        "--backend",
        "postgres",
        "--database-url",
        "postgresql://shop:s3cret@db:5432/shop?sslmode=require",
        "--queue=amqp://guest:guest@127.0.0.1:5672/",
        "--store-arg=--database-url=postgresql://shop:s3cret@db/shop",
        "--admin-token",
        "t0ken",
        "--host",
        "http://127.0.0.1:8000",
    ]
    command = recorded_command(args)
    assert "s3cret" not in command and "t0ken" not in command and "guest:guest" not in command
    assert command == (
        "stampede flash-sale --scale 0.01 --backend postgres --database-url "
        "'postgresql://shop:***@db:5432/shop?sslmode=require' "
        "'--queue=amqp://guest:***@127.0.0.1:5672/' "
        "'--store-arg=--database-url=postgresql://shop:***@db/shop' "
        "--admin-token '***' --host http://127.0.0.1:8000"
    )
    assert recorded_command(["smoke", "--admin-token=abc", "--seed", "3"]) == (
        "stampede smoke '--admin-token=***' --seed 3"
    )
