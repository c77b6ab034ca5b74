"""A card-company host written apart from KeyIn: PyPI's pyiso8583 with its stock ASCII layout (ISO 8583:1987 in
ASCII, which is the format docs/card-network.md documents), framed by a 2-byte big-endian length. It shows that
KeyIn's link works with any host that speaks that format, not only with KeyIn's own simulator and codec.

Run by Tests/CardNetworkLinkTests/IndependentHostTests.swift:

    python3 iso8583_host.py --rrn echo|assign|omit --late-ms 1500

It prints `listening <port>`, then one JSON line for every message it handles: its MTI, STAN (11), terminal (41),
retrieval reference number as received and as answered (37), response code (39), and for a reversal the original
STAN named in element 90. Cards: 4242424242424242 approves, 4000000000000002 is declined (05), 4000000000009912
approves but answers only after --late-ms (later than the gateway waits), anything else is declined (14).
"""

import argparse
import asyncio
import json
import random
import os
import string
import sys
import threading

import iso8583
from iso8583.specs import default_ascii as SPEC

RESPONSE_MTI = {"0100": "0110", "0200": "0210", "0220": "0230", "0400": "0410", "0401": "0410", "0800": "0810"}
ECHOED = ["3", "4", "7", "11", "12", "13", "41", "42", "49", "70", "90"]
APPROVES = "4242424242424242"
DECLINES = "4000000000000002"
ANSWERS_LATE = "4000000000009912"


def report(**fields):
    print(json.dumps(fields), flush=True)


def answer_to(request, rrn_mode, late_seconds):
    """The response to one decoded request, and how long to wait before sending it."""
    mti = request["t"]
    response = {"t": RESPONSE_MTI.get(mti, "0810")}
    for field in ECHOED:
        if field in request:
            response[field] = request[field]
    delay = 0.0
    if mti in ("0100", "0200"):
        card = request.get("2", "")
        if card in (APPROVES, ANSWERS_LATE):
            response["39"] = "00"
            response["38"] = "".join(random.choices(string.digits, k=6))
            if rrn_mode == "echo":
                response["37"] = request.get("37", "")
            elif rrn_mode == "assign":
                response["37"] = "".join(random.choices(string.digits, k=12))
            if card == ANSWERS_LATE:
                delay = late_seconds
        else:
            response["39"] = "05" if card == DECLINES else "14"
    else:
        # Sign-on, echo, reversals: accepted.
        response["39"] = "00"
    original = request.get("90", "")
    report(
        mti=mti, stan=request.get("11"), terminal=request.get("41", "").strip(), sentRRN=request.get("37"),
        answeredRRN=response.get("37"), code=response["39"], networkCode=request.get("70"),
        originalSTAN=original[4:10] if original else None)
    return response, delay


async def send_later(writer, response, delay):
    if delay:
        await asyncio.sleep(delay)
    try:
        encoded, _ = iso8583.encode(response, SPEC)
    except iso8583.EncodeError as error:
        # A host that cannot answer says why, and the gateway sees a timeout.
        print(f"cannot encode the answer: {error}", file=sys.stderr, flush=True)
        return
    writer.write(len(encoded).to_bytes(2, "big") + bytes(encoded))
    await writer.drain()


async def serve(reader, writer, rrn_mode, late_seconds):
    pending = set()
    try:
        while True:
            length = int.from_bytes(await reader.readexactly(2), "big")
            request, _ = iso8583.decode(bytearray(await reader.readexactly(length)), SPEC)
            response, delay = answer_to(request, rrn_mode, late_seconds)
            task = asyncio.create_task(send_later(writer, response, delay))
            pending.add(task)
            task.add_done_callback(pending.discard)
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


def exit_with_parent():
    """Ends the host when standard input closes: the test that started it is done, or gone."""
    sys.stdin.read()
    os._exit(0)


async def main():
    threading.Thread(target=exit_with_parent, daemon=True).start()
    parser = argparse.ArgumentParser()
    parser.add_argument("--rrn", choices=["echo", "assign", "omit"], default="echo")
    parser.add_argument("--late-ms", type=int, default=1500)
    arguments = parser.parse_args()
    server = await asyncio.start_server(
        lambda reader, writer: serve(reader, writer, arguments.rrn, arguments.late_ms / 1000), "127.0.0.1", 0)
    print(f"listening {server.sockets[0].getsockname()[1]}", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
