using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Features.Files;
using NeighbourHub.Web.Features.Identity;
using NeighbourHub.Web.Features.Notices;
using NeighbourHub.Web.Features.Organisation;
using NeighbourHub.Web.Features.Residents;
using NeighbourHub.Web.Features.Topics;
using NeighbourHub.Web.Features.Votes;
using NeighbourHub.Web.Hosting;
using NeighbourHub.Web.Tenancy;
using NeighbourHub.Web.Transparency;

namespace NeighbourHub.Web.Features.Demo;

/// <summary>
/// Owners' votes of 阳光花园 (264 flats; six top-floor flats of 4栋2单元 still held by the developer), lived through the
/// real <see cref="VoteDesk"/> on a clock moved forward: a lift installation (art. 278 major) that passed and was
/// closed by the clock, a gate change that failed for lack of 2/3 participation, the trustee's renewal open now with
/// online and paper ballots (张阿姨, dev-zhang, has not voted yet — try it through the API), and next year's budget
/// announced. About a hundred neighbours own flats in the app (a couple shares one, one owner has two); the rest vote
/// on paper, entered by the committee with the scan of the signed ballot.
/// </summary>
public sealed class VoteDemo(IServiceProvider services, TimeProvider clock, ILogger<VoteDemo> log)
{
    private static readonly string[] Surnames = ["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "林", "罗", "梁", "韦", "覃", "莫", "蒙"];
    private static readonly string[] Given = ["建国", "秀英", "桂兰", "志强", "丽华", "国平", "美玲", "海燕", "德明", "春梅", "玉珍", "卫东", "小红", "振华", "淑芬", "永福", "金凤", "文军"];

    private readonly DemoClock _clock = new();

    public async Task SeedAsync(NeighbourHubDbContext db, Estate sunshine, Resident zhang, CancellationToken ct)
    {
        var timer = Stopwatch.StartNew();
        var now = clock.GetUtcNow();
        var system = db.Scope;
        var random = new Random(278);

        // The developer still holds the top two floors of 4栋2单元 (unsold).
        var flats = await db.Households.Where(h => h.EstateId == sunshine.Id).OrderBy(h => h.Id).ToListAsync(ct);
        var building4 = await db.Buildings.Where(b => b.EstateId == sunshine.Id && b.Name == "4栋").Select(b => b.Id).SingleAsync(ct);
        var unit2 = await db.Units.Where(u => u.BuildingId == building4 && u.Name == "2单元").Select(u => u.Id).SingleAsync(ct);
        foreach (var h in flats.Where(h => h.UnitId == unit2 && (h.Room.StartsWith("10", StringComparison.Ordinal) || h.Room.StartsWith("11", StringComparison.Ordinal))))
        {
            h.HeldByDeveloper = true;
        }

        // About a hundred owners in the app: approved owner residences on distinct flats (a couple on one, one owner of two).
        var zhangFlat = await db.Residences.Where(r => r.ResidentId == zhang.Id && r.EstateId == sunshine.Id).Select(r => r.HouseholdId).FirstAsync(ct);
        await db.SaveChangesAsync(ct);
        var taken = (await db.Residences.Select(r => r.HouseholdId).ToListAsync(ct)).ToHashSet();
        var free = flats.Where(h => !h.HeldByDeveloper && h.Id != zhangFlat && !taken.Contains(h.Id)).OrderBy(_ => random.Next()).ToList();
        var owners = new List<Resident>();
        for (var i = 0; i < 100; i++)
        {
            owners.Add(new Resident { OpenId = $"dev-owner-{i + 1:000}", Nickname = Surnames[(i * 7) % Surnames.Length] + (i % 2 == 0 ? "先生" : "女士"), CreatedAt = now.AddDays(-120), LastLoginAt = now.AddDays(-random.Next(1, 30)) });
        }

        db.Residents.AddRange(owners);
        await db.SaveChangesAsync(ct);
        var names = owners.Select((_, i) => Surnames[(i * 7) % Surnames.Length] + Given[(i * 5) % Given.Length]).ToList();
        for (var i = 0; i < owners.Count; i++)
        {
            var r = Residence.Apply(owners[i].Id, free[i].Id, sunshine.Id, ResidenceRelation.Owner, names[i], now.AddDays(-100 + i % 30));
            r.Approve(null, now.AddDays(-99 + i % 30));
            db.Residences.Add(r);
        }

        var spouse = Residence.Apply(owners[1].Id, free[0].Id, sunshine.Id, ResidenceRelation.Owner, names[1], now.AddDays(-90)); // owners 0 and 1 share free[0]…
        spouse.Approve(null, now.AddDays(-89));
        var second = Residence.Apply(owners[2].Id, free[100].Id, sunshine.Id, ResidenceRelation.Owner, names[2], now.AddDays(-90)); // …owner 2 holds two flats
        second.Approve(null, now.AddDays(-89));
        db.Residences.AddRange(spouse, second);
        await db.SaveChangesAsync(ct);

        var resolver = services.GetRequiredService<AccessScopeResolver>();
        var committeeUser = await db.Users.AsNoTracking().Where(u => u.UserName == "committee").Select(u => new { u.Id, u.DisplayName }).SingleAsync(ct);
        var committee = CurrentScope.For(await resolver.ForAdminAsync(db, committeeUser.Id, ct) with { ActorName = committeeUser.DisplayName ?? "committee" });
        var voters = new List<(Resident Who, CurrentScope Scope)>();
        foreach (var o in owners)
        {
            voters.Add((o, CurrentScope.For(await resolver.ForResidentAsync(db, o.Id, ct))));
        }

        var desk = new VoteDesk(services.GetRequiredService<IDbContextFactory<NeighbourHubDbContext>>(),
            new TransparencyLogs(services.GetRequiredService<HeadSigner>(), _clock), new NoticeBoard(_clock), new TopicBoard(services.GetRequiredService<Moderation.ContentScreen>(), new Repairs.RepairService(_clock), _clock),
            services.GetRequiredService<IOptions<VotingOptions>>(), _clock, services.GetRequiredService<ILogger<VoteDesk>>());
        var files = services.GetRequiredService<FileService>();

        async Task<T> AsAsync<T>(CurrentScope who, DateTimeOffset at, Func<Task<T>> run)
        {
            _clock.Now = at;
            db.Scope = who;
            try
            {
                return await run();
            }
            finally
            {
                db.Scope = system;
                db.ChangeTracker.Clear();
            }
        }

        DateTimeOffset Day(int daysAgo, double hours) => ChinaTime.StartOf(ChinaTime.DayOf(now).AddDays(-daysAgo)).AddHours(hours);

        async Task<Vote> CreateAsync(int noticeDaysAgo, int openDaysAgo, int closeDaysAgo, string title, string description, VoteRule rule, string[] options, long? topicId = null) =>
            await AsAsync(committee, Day(noticeDaysAgo, 9), () => desk.CreateAsync(db,
                new CreateVoteBody(sunshine.Id, topicId, title, description, options, VoteRules.Wire(rule), Day(noticeDaysAgo, 9), Day(openDaysAgo, 8), Day(closeDaysAgo, 20)),
                $"demo-vote-{title}", ct));

        // Ballots over the voting days: online from owners in the app, paper from the others (entered by the committee).
        async Task VoteAsync(Vote vote, int openDaysAgo, int lastDaysAgo, double onlineShare, double paperShare, double[] choice, bool zhangVotes)
        {
            var options = await db.VoteOptions.Where(o => o.VoteId == vote.Id).OrderBy(o => o.Ordinal).Select(o => o.Id).ToListAsync(ct);
            _clock.Now = Day(openDaysAgo, 8).AddMinutes(1);
            await desk.OpenIfDueAsync(vote.Id, ct);
            long Pick()
            {
                var x = random.NextDouble();
                for (var i = 0; i < choice.Length; i++)
                {
                    if ((x -= choice[i]) < 0)
                    {
                        return options[i];
                    }
                }

                return options[^1];
            }

            DateTimeOffset When() => Day(openDaysAgo - random.Next(0, Math.Max(1, openDaysAgo - lastDaysAgo)), 8 + random.NextDouble() * 13);
            var online = voters.Where(_ => random.NextDouble() < onlineShare).ToList();
            if (zhangVotes)
            {
                online.Add((zhang, CurrentScope.For(await resolver.ForResidentAsync(db, zhang.Id, ct))));
            }

            foreach (var (who, scope) in online.OrderBy(_ => random.Next()))
            {
                try
                {
                    await AsAsync(scope, When(), () => desk.CastAsync(db, vote.Id, new BallotBody(Pick()), $"demo-{vote.Id}-{who.Id}", ct));
                }
                catch (ConflictException)
                {
                    // A co-owner already voted for the flat: exactly what the rule is for.
                }
            }

            var unregistered = await db.VoterFlats.Where(f => f.VoteId == vote.Id && !db.VoterMembers.Any(m => m.VoterId == f.VoterId))
                .Select(f => f.HouseholdId).ToListAsync(ct);
            var paper = unregistered.Where(_ => random.NextDouble() < paperShare).ToList();
            var proxies = new[] { "韦志强", "覃美玲", "莫德明" };
            var proxyUses = new int[proxies.Length];
            foreach (var householdId in paper)
            {
                var at = When();
                var proxy = random.NextDouble() < 0.06 ? Array.FindIndex(proxyUses, n => n < 3) : -1;
                try
                {
                    await AsAsync(committee, at, async () =>
                    {
                        var scan = await files.UploadAsync(db, new MemoryStream(ScanPdf(vote.Id, householdId)), "/api/v1/admin/files", ct);
                        return await desk.EnterPaperAsync(db, vote.Id, new PaperBallotBody(householdId, Pick(), proxy >= 0 ? "proxy" : "paper", proxy >= 0 ? proxies[proxy] : null, scan.Id),
                            $"demo-paper-{vote.Id}-{householdId}", ct);
                    });
                    if (proxy >= 0)
                    {
                        proxyUses[proxy]++;
                    }
                }
                catch (ConflictException)
                {
                    // The developer's flats are one voter: its second flat finds the ballot already cast.
                }
            }
        }

        // 1. Lifts for 1–4栋: announced 15+ days ahead, a fortnight of voting, passed, closed by the clock.
        // The lift is the topic neighbours raised and the committee sorted as a major matter (TopicDemo).
        var liftTopic = await TopicDemo.LiftTopicIdAsync(db, sunshine.Id, ct);
        var lifts = await CreateAsync(60, 44, 30, "1—4栋加装电梯",
            "1—4栋均为11层住宅，无电梯，老年住户上下楼困难。拟每单元加装电梯一部（共8部），总造价约380万元，申请使用专项维修资金160万元，其余由各单元业主按楼层系数分摊（1楼不分摊）。施工期约6个月，方案与分摊表见业委会公示栏。",
            VoteRule.Art278Major, ["同意", "不同意", "弃权"], liftTopic);
        await VoteAsync(lifts, 44, 31, onlineShare: 0.82, paperShare: 0.78, choice: [0.86, 0.09, 0.05], zhangVotes: true);
        _clock.Now = Day(30, 20).AddMinutes(1);
        await desk.RunClockAsync(ct);

        // 2. The east gate as a pedestrian-only entrance: ordinary matter, too few owners took part.
        var gate = await CreateAsync(95, 79, 65, "东门改为人行专用门",
            "为减少人车混行，拟将东门改为人行专用、车辆统一由北门进出，改造费用约3.2万元从公共收益中列支。", VoteRule.Art278Ordinary, ["同意", "不同意", "弃权"]);
        await VoteAsync(gate, 79, 66, onlineShare: 0.45, paperShare: 0.35, choice: [0.58, 0.35, 0.07], zhangVotes: false);
        _clock.Now = Day(65, 20).AddMinutes(1);
        await desk.RunClockAsync(ct);

        // 3. Renewing 安居物业 for 2027–2029: open now, ten days to go; 张阿姨 has not voted yet.
        var renewal = await CreateAsync(20, 3, -7, "续聘安居物业服务有限公司（2027—2029年）",
            "现物业服务合同于2026年12月31日到期。业委会经满意度调查（满意率86.4%）后提议续聘三年，物业费标准维持2.35元/平方米·月不变，酬金比例维持10%。",
            VoteRule.Art278Ordinary, ["同意续聘", "不同意续聘", "弃权"]);
        await VoteAsync(renewal, 3, 0, onlineShare: 0.38, paperShare: 0.22, choice: [0.78, 0.15, 0.07], zhangVotes: false);

        // 4. Next year's budget: announced, voting opens in ten days.
        await CreateAsync(5, -11, -25, "2027年度公共收益及物业服务预算",
            "受托物业编制、业委会初审的2027年度预算（收入约86万元，支出约79万元，以收定支），请全体业主表决。预算明细见基金“年度预算”页面。",
            VoteRule.Art278Ordinary, ["同意", "不同意", "弃权"]);

        db.Scope = system;
        log.LogInformation("Demo votes seeded in {Seconds:N1} s: {Owners} owners in the app, 4 votes", timer.Elapsed.TotalSeconds, owners.Count + 1);
    }

    /// <summary>A one-page PDF standing for the scan of a signed paper ballot (ASCII only, so no font is embedded).</summary>
    private static byte[] ScanPdf(long voteId, long householdId)
    {
        var text = $"NeighbourHub demo - signed paper ballot, vote {voteId}, household {householdId}";
        var content = $"BT /F1 12 Tf 40 780 Td ({text}) Tj ET";
        var objects = new[]
        {
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
            $"<< /Length {content.Length} >>\nstream\n{content}\nendstream",
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        };
        var pdf = new StringBuilder("%PDF-1.4\n");
        var offsets = new List<int>();
        for (var i = 0; i < objects.Length; i++)
        {
            offsets.Add(pdf.Length);
            pdf.Append(CultureInfo.InvariantCulture, $"{i + 1} 0 obj\n{objects[i]}\nendobj\n");
        }

        var xref = pdf.Length;
        pdf.Append(CultureInfo.InvariantCulture, $"xref\n0 {objects.Length + 1}\n0000000000 65535 f \n");
        foreach (var o in offsets)
        {
            pdf.Append(CultureInfo.InvariantCulture, $"{o:D10} 00000 n \n");
        }

        pdf.Append(CultureInfo.InvariantCulture, $"trailer\n<< /Size {objects.Length + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n");
        return Encoding.ASCII.GetBytes(pdf.ToString());
    }
}
