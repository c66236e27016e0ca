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
        var templateId = TemplateFor(configured, payload.TemplateKey)
            ?? (options.CurrentValue.UsesSandbox ? "sandbox-" + payload.TemplateKey : null);
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

    /// <summary>
    /// The template configured for an event name such as <c>bill.overdue</c>. Also found under <c>bill_overdue</c>:
    /// environment variables with a dot in their name (<c>WeChat__Templates__bill.overdue</c>) are dropped by shells
    /// and refused by systemd's EnvironmentFile, so an operator writes the underscore form there.
    /// </summary>
    internal static string? TemplateFor(IReadOnlyDictionary<string, string> configured, string eventName) =>
        configured.TryGetValue(eventName, out var t) && !string.IsNullOrWhiteSpace(t) ? t
        : configured.TryGetValue(eventName.Replace('.', '_'), out var u) && !string.IsNullOrWhiteSpace(u) ? u
        : null;
}
