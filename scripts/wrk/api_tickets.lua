-- POST /api/v1/tickets with an agent's API key: one new ticket per request.
-- Env: HOTLINE_BENCH_KEY (the key), HOTLINE_BENCH_TEXTS (a file of citizen texts, one per line).
package.path = package.path .. ";" .. (os.getenv("HOTLINE_BENCH_LUA") or ".") .. "/?.lua"
require "report"

local texts = {}
local key = os.getenv("HOTLINE_BENCH_KEY")
local counter = 0
expected_status, accept_200 = 201, false

function init(args)
  ok, bad = 0, 0
  for line in io.lines(os.getenv("HOTLINE_BENCH_TEXTS")) do table.insert(texts, line) end
end

function request()
  counter = counter + 1
  local text = texts[(id * 7919 + counter) % #texts + 1]
  -- 15x phones: the SMS runs text from 13x (scripts/bench_intake.py), and an SMS from a phone with an open
  -- ticket is a repeat, decided on its own, not the new request the benchmark means to send.
  local body = string.format('{"content": "%s", "contact_phone": "15%d%08d", "contact_name": "压测市民"}',
                             text, id % 10, counter)
  return wrk.format("POST", "/api/v1/tickets",
                    {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. key}, body)
end

function response(status, headers, body)
  count_status(status)
end
