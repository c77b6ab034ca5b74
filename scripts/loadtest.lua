-- wrk script for scripts/loadtest: distinct key-in payments, each with its own order id, Idempotency-Key and
-- card number (Luhn-valid, on a BIN the card-company table knows), so no request is a repeat of another, from
-- many client addresses (X-Forwarded-For, which the gateway trusts from loopback only).
-- Arguments (after wrk's `--`): the Basic authorization value, a run id (keeps order ids apart between runs).

local threads = {}
local next_thread_id = 0

function setup(thread)
    thread:set("thread_id", next_thread_id)
    next_thread_id = next_thread_id + 1
    table.insert(threads, thread)
end

local authorization, run_id
local counter = 0
approved = 0
declined = 0
failed = 0

function init(args)
    authorization = args[1]
    run_id = args[2]
end

-- The digit that makes `digits` pass the Luhn check once appended.
local function luhn_check_digit(digits)
    local sum = 0
    local double = true
    for i = #digits, 1, -1 do
        local d = tonumber(digits:sub(i, i))
        if double then
            d = d * 2
            if d > 9 then d = d - 9 end
        end
        sum = sum + d
        double = not double
    end
    return tostring((10 - sum % 10) % 10)
end

function request()
    counter = counter + 1
    -- 424242 (Shinhan in the bundled BIN table) + thread (2 digits) + counter (7 digits) + check digit.
    local body15 = string.format("424242%02d%07d", thread_id % 100, counter % 10000000)
    local card = body15 .. luhn_check_digit(body15)
    local order = string.format("lt-%s-%d-%d", run_id, thread_id, counter)
    local body = string.format(
        '{"amount":15000,"orderId":"%s","orderName":"부하 시험","cardNumber":"%s",' ..
        '"cardExpirationYear":"30","cardExpirationMonth":"12","customerIdentityNumber":"900101","cardPassword":"12"}',
        order, card)
    -- Customers come from many addresses: 1,024 per thread, named by the trusted proxy (loopback) in front.
    local client = string.format("10.%d.%d.%d", thread_id % 250, math.floor(counter / 256) % 4, counter % 256)
    return wrk.format("POST", "/v1/payments/key-in", {
        ["Authorization"] = authorization,
        ["Content-Type"] = "application/json",
        ["Idempotency-Key"] = order,
        ["X-Forwarded-For"] = client,
    }, body)
end

function response(status, headers, body)
    if status == 200 then
        approved = approved + 1
    elseif status >= 500 then
        failed = failed + 1
    else
        declined = declined + 1
    end
end

function done(summary, latency, requests)
    local ok, no, bad = 0, 0, 0
    for _, thread in ipairs(threads) do
        ok = ok + thread:get("approved")
        no = no + thread:get("declined")
        bad = bad + thread:get("failed")
    end
    local seconds = summary.duration / 1e6
    io.write(string.format("RESULT requests=%d seconds=%.3f rate=%.1f p50_ms=%.2f p99_ms=%.2f p999_ms=%.2f " ..
        "approved=%d declined=%d failed=%d socket_errors=%d\n",
        summary.requests, seconds, summary.requests / seconds,
        latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency:percentile(99.9) / 1000,
        ok, no, bad,
        summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
