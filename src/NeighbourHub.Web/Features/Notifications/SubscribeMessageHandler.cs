using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Tenancy;
using NeighbourHub.WeChat;

namespace NeighbourHub.Web.Features.Notifications;

/// <summary>
/// Sends queued subscribe messages. Templates are configured per event name (<c>WeChat:Templates</c>);
/// an event without a template is recorded as skipped. "No quota" (43101) and refusals are recorded,
/// not retried; busy WeChat and network failures are retried by the dispatcher with backoff.
/// </summary>
public sealed class SubscribeMessageHandler(
    IWeChatMiniProgram wechat,
    IOptionsMonitor<WeChatOptions> options,
    IDbContextFactory<NeighbourHubDbContext> contexts) : IOutboxHandler
{
    public string Topic => OutboxTopics.SubscribeMessage;

    public async Task<string> HandleAsync(OutboxMessage message, CancellationToken ct)
    {
        var payload = Outbox.Read<SubscribeMessagePayload>(message);
        var configured = options.CurrentValue.Templates;
        // The sandbox sends everything (it only records), so the demo shows the flow without templates.
        var templateId = configured.TryGetValue(payload.TemplateKey, out var t) ? t
            : options.CurrentValue.UsesSandbox ? "sandbox-" + payload.TemplateKey : null;
        if (templateId is null)
        {
            return "skipped:no-template";
        }

        await using var db = contexts.CreateDbContext();
        db.Scope = CurrentScope.For(AccessScope.System);
        var openId = await db.Residents.Where(r => r.Id == payload.ResidentId).Select(r => r.OpenId).SingleOrDefaultAsync(ct);
        if (openId is null)
        {
            return "skipped:no-resident";
        }

        var result = await wechat.SendSubscribeMessageAsync(new SubscribeMessage(openId, templateId, payload.Page, payload.Data), ct);
        return result.Outcome switch
        {
            SubscribeSendOutcome.Sent => "sent",
            SubscribeSendOutcome.NoQuota => "no_quota",
            _ => $"rejected:{result.ErrCode}",
        };
    }
}
