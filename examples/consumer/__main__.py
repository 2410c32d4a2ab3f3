"""A second stack: reads the token the basic example exported and hands it to a Cloudflare Worker
that calls the protected origin. The secret stays a Pulumi secret all the way."""

import pulumi
import pulumi_cloudflare as cloudflare

from cloudflare_service_token import ServiceTokenReference

config = pulumi.Config()
ci = ServiceTokenReference(config.require("producerStack"), "ci")

WORKER = """
export default {
  async fetch(request, env) {
    return fetch("https://app.example.com/api", {
      headers: {
        "CF-Access-Client-Id": env.CF_ACCESS_CLIENT_ID,
        "CF-Access-Client-Secret": env.CF_ACCESS_CLIENT_SECRET,
      },
    });
  },
};
"""

worker = cloudflare.WorkersScript(
    "caller",
    account_id=config.require("accountId"),
    script_name="calls-protected-origin",
    content=WORKER,
    main_module="worker.js",
    bindings=[
        {"type": "secret_text", "name": "CF_ACCESS_CLIENT_ID", "text": ci.client_id},
        {"type": "secret_text", "name": "CF_ACCESS_CLIENT_SECRET", "text": ci.client_secret},
    ],
)

pulumi.export("worker_bindings", worker.bindings)
pulumi.export("token_expires_at", ci.expires_at)
