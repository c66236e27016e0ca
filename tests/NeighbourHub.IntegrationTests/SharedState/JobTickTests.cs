using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NeighbourHub.TestSupport;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Features.Notifications;
using NeighbourHub.Web.Features.Repairs;
using NeighbourHub.Web.Hosting;
using NeighbourHub.Web.Tenancy;

namespace NeighbourHub.IntegrationTests.SharedState;

/// <summary>
/// Three instances on one MariaDB and Redis, every scheduled job ticking each second on each: every tick ran on
/// exactly one instance, and the work it did (messages, escalations) happened once.
/// </summary>
public sealed class JobTickTests
{
    private static readonly Type[] Jobs =
    [
        typeof(OutboxDispatcher), typeof(RepairEscalationJob), typeof(Web.Features.Payments.PaymentReconciliationJob),
        typeof(Web.Features.Files.UnattachedFileCleanupJob), typeof(Web.Features.Fund.FundStatementJob),
        typeof(Web.Features.Notices.NoticePublicationJob), typeof(Web.Features.Votes.VoteClockJob),
    ];

    [Fact]
    public async Task Three_instances_run_each_tick_of_every_job_once_and_its_effects_once()
    {
        await using var wechat = await FakeWeChatServer.StartAsync();
        var prefix = $"nh-ticks-{Guid.NewGuid():N}:";
        Dictionary<string, string?> Settings(string name) => new()
        {
            ["Redis:KeyPrefix"] = prefix,
            ["Instance:Name"] = name,
            ["Outbox:PollSeconds"] = "1",
            ["Repairs:Escalation:PollSeconds"] = "1",
            ["WeChatPay:Reconciliation:PollSeconds"] = "1",
            ["Files:Cleanup:PollSeconds"] = "1",
            ["Fund:StatementPollMinutes"] = (1.0 / 60).ToString("R", System.Globalization.CultureInfo.InvariantCulture),
            ["Notices:PublishPollSeconds"] = "1",
            ["Voting:PollSeconds"] = "1",
        };

        var first = await NeighbourHubAppFactory.OnMariaDbAsync("nh_job_ticks", wechat, Settings("A"));
        var apps = new List<NeighbourHubAppFactory> { first };
        apps.AddRange(new[] { "B", "C" }.Select(n => new NeighbourHubAppFactory(first.Provider, first.ConnectionString, wechat, useRedis: true, Settings(n))));
        try
        {
            var org = await TestOrg.SeedAsync(first);
            var residents = await first.CreateResidentsAsync("ticks", 20);
            long repairId;
            await using (var db = first.SystemDb())
            {
                var now = DateTimeOffset.UtcNow;
                var category = await db.RepairCategories.Where(c => c.EstateId == org.EstateA1).Select(c => c.Id).FirstAsync();
                // Three days allowed, five days late: due for both escalation levels at once.
                var repair = new Repair { EstateId = org.EstateA1, CategoryId = category, Description = "楼道灯不亮", CreatedAt = now.AddDays(-8), DeadlineAt = now.AddDays(-5), UpdatedAt = now };
                db.Repairs.Add(repair);
                foreach (var (id, _) in residents)
                {
                    await Outbox.EnqueueAsync(db, OutboxTopics.SubscribeMessage, $"ticks:{id}",
                        new SubscribeMessagePayload(id, "event.promoted", null, new Dictionary<string, string> { ["thing1"] = $"第{id}条" }), TimeProvider.System, default);
                }

                await db.SaveChangesAsync();
                repairId = repair.Id;
            }

            foreach (var app in apps)
            {
                _ = app.Server; // start the loops
            }

            // Long enough for several slots of every job, however slow the machine; the messages go out meanwhile.
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (DateTime.UtcNow < deadline)
            {
                await Task.Delay(500);
                await using var db = first.SystemDb();
                var ticks = await db.JobTicks.GroupBy(t => t.Job).Select(g => g.Count()).ToListAsync();
                if (ticks.Count == Jobs.Length && ticks.Min() >= 4 && await db.OutboxMessages.AllAsync(m => m.ProcessedAt != null))
                {
                    break;
                }
            }

            var run = Jobs.ToDictionary(j => j.Name, j => apps.Sum(a => ((PeriodicJob)a.Services.GetRequiredService(j)).TicksRun));
            var names = new HashSet<string>();
            await using (var db = first.SystemDb())
            {
                foreach (var job in Jobs.Select(j => j.Name))
                {
                    var rows = await db.JobTicks.Where(t => t.Job == job).ToListAsync();
                    Assert.True(rows.Count >= 4, $"{job}: only {rows.Count} tick(s) ran");
                    // One row per (job, slot) is the primary key; what matters is that no instance ran a tick it did
                    // not claim: the ticks run across instances equal the rows (give or take those still starting).
                    Assert.InRange(run[job], rows.Count - apps.Count, rows.Count);
                    Assert.All(rows, r => Assert.Contains(r.Instance, new[] { "A", "B", "C" }));
                    Assert.All(rows, r => Assert.False(r.Failed, $"{job} slot {r.Slot} failed on {r.Instance}"));
                    names.UnionWith(rows.Select(r => r.Instance));
                }

                // Each message went out once, to the right person; the repair escalated once per level.
                Assert.Equal(residents.Count, wechat.SentMessages.Count);
                Assert.Equal(residents.Count, wechat.SentMessages.Select(m => m.GetProperty("touser").GetString()).Distinct().Count());
                Assert.All(await db.OutboxMessages.ToListAsync(), m => Assert.Equal("sent", m.Outcome));
                Assert.Equal(2, await db.Repairs.Where(r => r.Id == repairId).Select(r => r.EscalationLevel).SingleAsync());
                Assert.Equal(2, await db.RepairEvents.CountAsync(e => e.RepairId == repairId && e.Action == "escalated"));
                var escalations = await db.RepairEscalations.Where(e => e.RepairId == repairId).Select(e => new { e.Level, e.AdminUserId }).ToListAsync();
                Assert.Equal(escalations.Count, escalations.Distinct().Count());
            }

            // More than one instance took ticks: they compete for the same slots rather than one doing it all by luck.
            Assert.True(names.Count >= 2, "Only " + string.Join(",", names) + " ran ticks");
        }
        finally
        {
            foreach (var app in apps)
            {
                await app.DisposeAsync();
            }
        }
    }
}
