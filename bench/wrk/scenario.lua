-- One wrk script for every scenario of bench/run.sh, chosen by environment variables:
--   SCENARIO   what to request (see `builders` below)
--   LABEL      name the result is recorded under (defaults to SCENARIO)
--   BENCH_KEY  secret key of the server
--   SAMPLES    directory of sample files written by `clerk-bench load`
--   RESULTS    file the result line (JSON) is appended to
--   RESULT_TAGS  JSON members added to the result line, e.g. "store":"sqlite","users":1000
--   RUN_ID     makes the emails of created users unique across runs
-- Each wrk thread has its own Lua state; ids vary per request, drawn from the samples.

local scenario = os.getenv("SCENARIO") or "ping"
local label = os.getenv("LABEL") or scenario
local key = os.getenv("BENCH_KEY") or ""
local samples_dir = os.getenv("SAMPLES") or "."
local results = os.getenv("RESULTS")
local tags = os.getenv("RESULT_TAGS") or ""
local run_id = os.getenv("RUN_ID") or "0"
local password = "bench-password-1"

local thread_count = 0
function setup(thread)
   thread_count = thread_count + 1
   thread:set("tid", thread_count)
end

local function read_lines(name)
   local t = {}
   local f = io.open(samples_dir .. "/" .. name .. ".txt", "r")
   if f then
      for line in f:lines() do
         if line ~= "" then t[#t + 1] = line end
      end
      f:close()
   end
   return t
end

local function urlencode(s)
   return (s:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

local samples = {}
local function pick(name)
   local list = samples[name]
   if list == nil then
      list = read_lines(name)
      samples[name] = list
   end
   return list[math.random(#list)]
end

local counter = 0
local function next_email()
   counter = counter + 1
   return string.format("bench-%s-%s-%d-%d@bench.example", run_id, label, tid or 0, counter)
end

local builders = {
   ping = function() return wrk.format("GET", "/v1/_ext/ping") end,
   get_user = function() return wrk.format("GET", "/v1/users/" .. pick("users")) end,
   list = function() return wrk.format("GET", "/v1/users") end,
   list_email = function()
      return wrk.format("GET", "/v1/users?email_address=" .. urlencode(pick("emails")))
   end,
   query3 = function() return wrk.format("GET", "/v1/users?query=" .. urlencode(pick("q3"))) end,
   query8 = function() return wrk.format("GET", "/v1/users?query=" .. urlencode(pick("q8"))) end,
   name_query = function()
      return wrk.format("GET", "/v1/users?name_query=" .. urlencode(pick("names")))
   end,
   deep_page = function()
      return wrk.format("GET", "/v1/users?starting_after=" .. pick("deep_users"))
   end,
   count = function() return wrk.format("GET", "/v1/users/count") end,
   count_filtered = function()
      return wrk.format("GET", "/v1/users/count?query=" .. urlencode(pick("q3")))
   end,
   create_user = function()
      local body = string.format(
         '{"email_address":["%s"],"first_name":"Bench","last_name":"Created"}', next_email())
      return wrk.format("POST", "/v1/users", nil, body)
   end,
   create_user_password = function()
      local body = string.format(
         '{"email_address":["%s"],"first_name":"Bench","last_name":"Hashed","password":"%s"}',
         next_email(), password)
      return wrk.format("POST", "/v1/users", nil, body)
   end,
   verify_password = function()
      local body = string.format('{"password":"%s"}', password)
      return wrk.format("POST", "/v1/users/" .. pick("password_users") .. "/verify_password", nil, body)
   end,
   metadata_patch = function()
      counter = counter + 1
      local body = string.format(
         '{"public_metadata":{"bench":{"n":%d,"thread":%d}},"private_metadata":{"touched":true}}',
         counter, tid or 0)
      return wrk.format("PATCH", "/v1/users/" .. pick("users") .. "/metadata", nil, body)
   end,
   create_session = function()
      local body = string.format('{"user_id":"%s"}', pick("signin_users"))
      return wrk.format("POST", "/v1/sessions", nil, body)
   end,
   session_token = function()
      return wrk.format("POST", "/v1/sessions/" .. pick("sessions") .. "/tokens", nil, "{}")
   end,
}

local build = builders[scenario]
if build == nil then
   error("unknown SCENARIO " .. scenario)
end

function init(args)
   math.randomseed(1000 + (tid or 0))
   wrk.headers["Authorization"] = "Bearer " .. key
   wrk.headers["Content-Type"] = "application/json"
end

function request()
   return build()
end

function done(summary, latency, requests)
   local seconds = summary.duration / 1e6
   local e = summary.errors
   local line = string.format(
      '{%s%s"scenario":"%s","requests":%d,"seconds":%.3f,"rps":%.2f,"p50_ms":%.3f,"p90_ms":%.3f,"p99_ms":%.3f,"max_ms":%.3f,"non2xx":%d,"socket_errors":%d}\n',
      tags, tags ~= "" and "," or "", label, summary.requests, seconds, summary.requests / seconds,
      latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
      latency.max / 1000, e.status, e.connect + e.read + e.write + e.timeout)
   io.write(line)
   if results then
      local f = assert(io.open(results, "a"))
      f:write(line)
      f:close()
   end
end
