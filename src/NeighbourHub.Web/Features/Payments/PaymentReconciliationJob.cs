using Microsoft.EntityFrameworkCore;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Hosting;
using NeighbourHub.Web.Tenancy;
using NeighbourHub.WeChat.Pay;

namespace NeighbourHub.Web.Features.Payments;

public sealed class ReconciliationOptions
{
    public const string SectionName = "WeChatPay:Reconciliation";

    /// <summary>How often each instance looks for pending orders. Zero disables the loop (tests call it).</summary>
    public double PollSeconds { get; set; } = 60;

    /// <summary>Orders pending longer than this are asked about (callbacks normally arrive within seconds).</summary>
    public double QueryAfterMinutes { get; set; } = 5;
}

/// <summary>
/// 对账: for orders still pending after a few minutes, ask WeChat (answers' signatures verified) and apply
/// what it says; close the expired ones so their bills can be paid again.
/// </summary>
public sealed class PaymentReconciliationJob(IServiceScopeFactory scopes, Microsoft.Extensions.Options.IOptions<ReconciliationOptions> options, TimeProvider clock,
    ILogger<PaymentReconciliationJob> log) : PeriodicJob(clock, log)
{
    protected override double IntervalSeconds => options.Value.PollSeconds;

    protected override Task RunTickAsync(CancellationToken ct) => RunOnceAsync(ct);

    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<NeighbourHubDbContext>();
        db.Scope = CurrentScope.For(AccessScope.System);
        var payments = scope.ServiceProvider.GetRequiredService<PaymentService>();
        var now = Clock.GetUtcNow();
        var before = now.AddMinutes(-options.Value.QueryAfterMinutes);
        var pending = await (db.Payments.Where(p => p.Status == PaymentStatus.Pending && p.Channel == PaymentChannel.WeChat && p.CreatedAt < before).OrderBy(p => p.Id).Take(200)).ToListAsync(ct);
        foreach (var p in pending)
        {
            try
            {
                var note = await payments.ReconcileAsync(db, p, closeIfUnpaid: p.ExpiresAt <= now, ct);
                log.LogInformation("Reconciled payment {Payment} ({OutTradeNo}): {Note}", p.Id, p.OutTradeNo, note);
            }
            catch (WeChatPayException e)
            {
                log.LogWarning(e, "Could not reconcile payment {Payment}", p.Id);
            }
        }

        return pending.Count;
    }
}
