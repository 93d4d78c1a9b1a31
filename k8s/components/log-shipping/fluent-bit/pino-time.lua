-- pino's `time` is epoch milliseconds; Fluent Bit timestamps are seconds (a float).
-- Returns 1 (timestamp and record changed) or 0 (left as is) to Fluent Bit's lua filter.
function pino_time(tag, timestamp, record)
  local ms = tonumber(record["time"])
  if ms == nil then
    return 0, timestamp, record
  end
  return 1, ms / 1000, record
end
