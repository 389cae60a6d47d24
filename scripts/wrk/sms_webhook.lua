-- POST /hooks/twilio/sms as Twilio does: form fields signed with X-Twilio-Signature.
-- The bodies and signatures are made beforehand (one line each: signature TAB body) with a
-- distinct MessageSid each, so every request is a new message; thread n sends lines n, n+T, ...
-- Env: HOTLINE_BENCH_SMS (the file), HOTLINE_BENCH_THREADS (T).
package.path = package.path .. ";" .. (os.getenv("HOTLINE_BENCH_LUA") or ".") .. "/?.lua"
require "report"

local lines = {}
local position = 0
expected_status, accept_200 = 200, false

function init(args)
  ok, bad = 0, 0
  local threads = tonumber(os.getenv("HOTLINE_BENCH_THREADS"))
  local n = 0
  for line in io.lines(os.getenv("HOTLINE_BENCH_SMS")) do
    if n % threads == id then
      local tab = line:find("\t")
      table.insert(lines, {line:sub(1, tab - 1), line:sub(tab + 1)})
    end
    n = n + 1
  end
end

function request()
  position = position + 1
  local entry = lines[(position - 1) % #lines + 1]  -- wraps only past the file: re-deliveries
  return wrk.format("POST", "/hooks/twilio/sms",
                    {["Content-Type"] = "application/x-www-form-urlencoded", ["X-Twilio-Signature"] = entry[1]},
                    entry[2])
end

function response(status, headers, body)
  count_status(status)
end
