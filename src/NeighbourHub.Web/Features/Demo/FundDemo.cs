using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Features.Fund;
using NeighbourHub.Web.Features.Identity;
using NeighbourHub.Web.Features.Moderation;
using NeighbourHub.Web.Features.Organisation;
using NeighbourHub.Web.Features.Payments;
using NeighbourHub.Web.Features.Residents;
using NeighbourHub.Web.Hosting;
using NeighbourHub.Web.Tenancy;
using NeighbourHub.Web.Transparency;

namespace NeighbourHub.Web.Features.Demo;

/// <summary>
/// A year of the owners' fund for both demo estates, lived from 1 January (China time) to today through the real
/// services on a clock moved forward step by step: fee income per paying flat, the demo payments billing seeded,
/// parking and advertising income, the monthly expenses proposed, approved and paid with two keys, an annual
/// budget drafted and approved in January, an over-budget expense with its extra approval, a rejected proposal,
/// one waiting now, owners' questions (one answered, one open) and the statements of every ended month.
/// 阳光花园 is served by 安居物业 (the trustee, 10% remuneration); 老机关宿舍 is self-managed by its 物管会.
/// </summary>
public sealed class FundDemo(IServiceProvider services, TimeProvider clock, ILogger<FundDemo> log)
{
    private const string Security = "秩序维护";
    private const string Cleaning = "保洁";
    private const string Lift = "电梯维保";
    private const string Lighting = "公共照明";
    private const string Repairs = "维修材料";

    private readonly List<(DateTimeOffset At, int Order, Func<Task> Run)> _plan = [];
    private readonly DemoClock _seed = new();
    private readonly Dictionary<(long Estate, string Line), long> _lines = [];
    private int _order;

    public async Task SeedAsync(NeighbourHubDbContext db, Estate sunshine, Estate oldQuarters, Resident owner, string password, CancellationToken ct)
    {
        var timer = Stopwatch.StartNew();
        var now = clock.GetUtcNow();
        var today = ChinaTime.DayOf(now);
        var start = ChinaTime.StartOfMonth(today.Year, 1);
        var firstDay = new DateOnly(today.Year, 1, 1);
        var system = db.Scope;

        // The real services, on a clock the demo moves forward: every rule of the fund holds for this history.
        var options = services.GetRequiredService<IOptions<FundOptions>>();
        var ledger = new FundLedger(new TransparencyLogs(services.GetRequiredService<HeadSigner>(), _seed), _seed);
        var roles = new FundRoles(_seed);
        var attachments = services.GetRequiredService<FundAttachments>();
        var income = new FundIncome(ledger, roles, attachments);
        var budgets = new FundBudgets(roles, options, _seed);
        var expenses = new FundExpenses(ledger, roles, attachments, budgets, options, _seed);
        var questions = new FundQuestions(roles, services.GetRequiredService<ContentScreen>(), expenses, _seed);
        var statements = new FundStatements(ledger, _seed);

        // The keys: 安居物业 is the trustee of 阳光花园, whose committee gets a second member for over-budget spending;
        // 老机关宿舍 has no firm, so its 物管会 keeps the books (周主任 proposes, 吴委员 approves).
        var resolver = services.GetRequiredService<AccessScopeResolver>();
        await using (var scope = services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<AdminUser>>();
            await AddAdminAsync(db, users, "committee2", "阳光花园业委会 孙委员", password, sunshine.Id);
            await AddAdminAsync(db, users, "wuguan", "老机关宿舍物管会 周主任", password, oldQuarters.Id);
            await AddAdminAsync(db, users, "wuguan2", "老机关宿舍物管会 吴委员", password, oldQuarters.Id);
        }

        async Task<CurrentScope> AdminAsync(string userName)
        {
            var user = await db.Users.AsNoTracking().Where(u => u.UserName == userName).Select(u => new { u.Id, u.DisplayName }).SingleAsync(ct);
            return CurrentScope.For(await resolver.ForAdminAsync(db, user.Id, ct) with { ActorName = user.DisplayName ?? userName });
        }

        var firm = await AdminAsync("firm");
        var zhao = await AdminAsync("committee");
        var sun = await AdminAsync("committee2");
        var zhou = await AdminAsync("wuguan");
        var wu = await AdminAsync("wuguan2");
        var resident = CurrentScope.For(await resolver.ForResidentAsync(db, owner.Id, ct));

        var random = new Random(2026);
        DateTimeOffset At(DateOnly day, double hours) => ChinaTime.StartOf(day).AddHours(hours);
        void Plan(DateTimeOffset at, Func<Task> run) => _plan.Add((at, _order++, run));
        async Task AsAsync(CurrentScope who, Func<Task> run)
        {
            db.Scope = who;
            try
            {
                await run();
            }
            finally
            {
                db.Scope = system;
                db.ChangeTracker.Clear();
            }
        }

        // January: the committee sets the remuneration, the trustees draft the budgets, a committee member approves.
        Plan(At(firstDay, 9), () => AsAsync(zhao, () => ledger.SetRemunerationAsync(db, sunshine.Id, 1000, ct)));
        Plan(At(firstDay, 9.2), () => AsAsync(system, async () => { await ledger.OpenAsync(db, oldQuarters.Id, ct); }));
        var year = today.Year;
        BudgetBody sunshineBudget = new([
            new(Security, 206_400_00), new(Cleaning, 117_600_00), new(Lift, 60_000_00), new(Lighting, 36_000_00), new(Repairs, 15_000_00)]);
        BudgetBody oldBudget = new([new(Security, 12_000_00), new(Cleaning, 7_200_00), new(Lighting, 1_800_00), new(Repairs, 3_000_00)]);
        foreach (var (estate, body, trustee, approver) in new[] { (sunshine, sunshineBudget, firm, zhao), (oldQuarters, oldBudget, zhou, wu) })
        {
            Plan(At(firstDay.AddDays(4), 15), () => AsAsync(trustee, async () =>
            {
                await budgets.DraftAsync(db, estate.Id, year, body, ct);
                foreach (var line in await db.FundBudgetLines.AsNoTracking().Where(l => l.EstateId == estate.Id && l.Year == year).ToListAsync(ct))
                {
                    _lines[(estate.Id, line.Name)] = line.Id;
                }
            }));
            Plan(At(firstDay.AddDays(11), 10), () => AsAsync(approver, () => budgets.ApproveAsync(db, estate.Id, year, ct)));
        }

        // Fee income: months before billing started are paid per flat on the office's collection days; then the
        // payments billing seeded, each through the same handler the outbox calls (which then finds it recorded).
        var billedFrom = await db.Bills.AsNoTracking().MinAsync(b => (string?)b.Period, ct);
        var firstBilled = billedFrom is not null && FundStatements.TryParseMonth(billedFrom, out var by, out var bm) ? new DateOnly(by, bm, 1) : today.AddDays(1 - today.Day);
        foreach (var estate in new[] { sunshine, oldQuarters })
        {
            var households = await (from h in db.Households
                                    where h.EstateId == estate.Id
                                    join bu in db.Buildings on h.BuildingId equals bu.Id
                                    join u in db.Units on h.UnitId equals u.Id
                                    orderby h.Id
                                    select new { h.Id, h.AreaM2, Flat = bu.Name + u.Name }).ToListAsync(ct);
            var items = await db.FeeItems.AsNoTracking().Where(f => f.EstateId == estate.Id).OrderBy(f => f.Id).ToListAsync(ct);
            int[] days = [3, 5, 8, 10, 12, 15, 18, 22, 26];
            for (var month = firstDay; month < firstBilled; month = month.AddMonths(1))
            {
                var period = month.ToString("yyyy-MM", CultureInfo.InvariantCulture);
                var paying = households.Where(_ => random.NextDouble() < 0.91)
                    .Select(h => (h, Day: days[Math.Min(days.Length - 1, (int)(random.NextDouble() * random.NextDouble() * days.Length))],
                        Channel: random.Next(10) switch { < 6 => "微信支付", < 9 => "银行转账", _ => "现金" }))
                    .ToList();
                foreach (var group in paying.GroupBy(p => p.Day).OrderBy(g => g.Key))
                {
                    var estateId = estate.Id;
                    Plan(At(month.AddDays(group.Key - 1), 17.5), async () =>
                    {
                        var bp = await db.FundAccounts.AsNoTracking().Where(f => f.EstateId == estateId).Select(f => f.RemunerationBp).SingleAsync(ct);
                        var drafts = new List<EntryDraft>();
                        foreach (var (h, _, channel) in group)
                        {
                            var fen = items.Sum(i => i.AmountFor(h.AreaM2));
                            var source = $"demo:fee:{h.Id}:{period}";
                            drafts.Add(new(FundEntryKind.Income, fen, FundCategories.PropertyFee,
                                $"{string.Join("、", items.Select(i => $"{i.Name} {period}"))}（{channel}）", h.Flat, source));
                            if (FundLedger.RemunerationOf(fen, bp) is > 0 and var share)
                            {
                                drafts.Add(new(FundEntryKind.Remuneration, -share, FundCategories.Remuneration,
                                    $"物业酬金 {bp / 100m:0.##}%，按缴费 {Billing.Money.Yuan(fen)} 元计", "受托物业", $"remuneration:{source}"));
                            }
                        }

                        await ledger.AppendAsync(db, estateId, drafts, mayOverdraw: true, ct);
                        db.ChangeTracker.Clear();
                    });
                }
            }
        }

        var paid = await db.Payments.AsNoTracking().Where(p => p.Status == PaymentStatus.Paid)
            .Select(p => new { p.Id, p.EstateId, p.AmountFen, p.Channel, p.PaidAt }).ToListAsync(ct);
        var periods = (await (from pb in db.PaymentBills.AsNoTracking()
                              join b in db.Bills on pb.BillId equals b.Id
                              select new { pb.PaymentId, b.Period }).ToListAsync(ct))
            .GroupBy(x => x.PaymentId).ToDictionary(g => g.Key, g => g.Min(x => x.Period));
        foreach (var p in paid.OrderBy(p => p.Id))
        {
            var day = periods.TryGetValue(p.Id, out var period) && FundStatements.TryParseMonth(period, out var py, out var pm) ? new DateOnly(py, pm, 1).AddDays(random.Next(0, 25)) : today;
            var at = At(day, 9 + random.Next(0, 9 * 60) / 60.0);
            at = at < start ? start.AddHours(9) : at > now.AddHours(-2) ? now.AddHours(-2) : at;
            var collected = new PaymentCollected(p.Id, p.EstateId, p.AmountFen, p.Channel.ToString(), p.PaidAt ?? now);
            Plan(at, () => AsAsync(system, () => income.RecordPaymentAsync(db, collected, ct)));
        }

        // Each month: common income, the month's services paid with two keys, and last month's statement.
        var overBudgetMonth = today.AddDays(1 - today.Day).AddMonths(-2);
        var months = new List<DateOnly>();
        for (var month = firstDay; month <= today; month = month.AddMonths(1))
        {
            months.Add(month);
        }

        (long Id, DateTimeOffset PaidAt)? lastLift = null;
        long? overBudget = null;
        foreach (var month in months)
        {
            var m = month.Month;
            var q = (m + 2) / 3;
            var next = month.AddMonths(1);
            var season = m is >= 6 and <= 9 ? 1.25 : m is 12 or 1 or 2 ? 1.15 : 1.0;

            // Parking for the month on the 5th of the next; advertising each quarter, in its first month.
            Plan(At(next.AddDays(4), 10), () => AsAsync(firm, () => income.RecordCommonIncomeAsync(db, sunshine.Id,
                new CommonIncomeBody((6_200_00 + random.Next(0, 180) * 10_00) / 100 * 100, FundCategories.Parking, $"{m}月地面车位月租及临时停车收费",
                    "阳光花园停车场收费系统", null), $"demo-parking-{m}", ct)));
            Plan(At(next.AddDays(4), 16), () => AsAsync(zhou, () => income.RecordCommonIncomeAsync(db, oldQuarters.Id,
                new CommonIncomeBody((900_00 + random.Next(0, 20) * 10_00) / 100 * 100, FundCategories.Parking, $"{m}月院内车位管理费（28 个车位）", "院内停车登记处", null),
                $"demo-parking-{m}", ct)));
            if (m % 3 == 1)
            {
                Plan(At(month.AddDays(9), 11), () => AsAsync(firm, () => income.RecordCommonIncomeAsync(db, sunshine.Id,
                    new CommonIncomeBody(7_200_00, FundCategories.Advertising, $"第{q}季度电梯轿厢广告位租金（8 台电梯）", "柳州新视传媒有限公司", null),
                    $"demo-ads-{q}", ct)));
                Plan(At(month.AddDays(9), 15), () => AsAsync(zhou, () => income.RecordCommonIncomeAsync(db, oldQuarters.Id,
                    new CommonIncomeBody(600_00, FundCategories.Advertising, $"第{q}季度院门宣传栏广告位租金", "文惠路惠民大药房", null), $"demo-ads-{q}", ct)));
            }

            // The month's services: proposed on the 24th, approved on the 25th, paid on the 26th.
            var propose = At(month.AddDays(23), 9.5);
            Expense(sunshine, firm, [zhao, sun], Security, 17_200_00, "柳州卫安保安服务有限公司", $"{m}月秩序维护服务费（门岗及巡逻 5 人）", propose);
            Expense(sunshine, firm, [zhao, sun], Cleaning, 9_800_00, "柳州洁美保洁服务有限公司", $"{m}月保洁服务费（4 名保洁员，含垃圾清运）", propose.AddMinutes(10));
            var lift = Expense(sunshine, firm, [zhao, sun], Lift, 4_800_00, "柳州快捷电梯工程有限公司", $"{m}月电梯维保（8 台，含年检配合）", propose.AddMinutes(20));
            Plan(propose.AddDays(2).AddHours(1), async () =>
            {
                if (lift() is { } id)
                {
                    lastLift = (id, propose.AddDays(2));
                }

                await Task.CompletedTask;
            });
            Expense(sunshine, firm, [zhao, sun], Lighting, (long)(2_600_00 * season) + random.Next(0, 40) * 10_00, "广西电网有限责任公司柳州供电局",
                $"{m}月公共照明及二次供水水泵电费", propose.AddMinutes(30));
            string[] fixes = ["更换 2 栋楼道感应灯 12 个", "1 栋单元门闭门器更换 2 个", "地下车库排水沟盖板更换", "3 栋消防栓箱玻璃及锁具更换", "中心花园座椅木条更换", "4 栋天台门锁更换"];
            if (m % 2 == 0 || m == 1)
            {
                Expense(sunshine, firm, [zhao, sun], Repairs, 600_00 + random.Next(0, 120) * 10_00, "河东五金建材店", fixes[m % fixes.Length] + "（材料）", propose.AddMinutes(40));
            }

            Expense(oldQuarters, zhou, [wu], Security, 1_000_00, "门卫 韦国强", $"{m}月夜间门卫值守", propose.AddHours(5));
            Expense(oldQuarters, zhou, [wu], Cleaning, 600_00, "兼职保洁员 覃秀兰", $"{m}月楼道及院落保洁", propose.AddHours(5.2));
            Expense(oldQuarters, zhou, [wu], Lighting, (long)(100_00 * season) + random.Next(0, 6) * 10_00, "广西电网有限责任公司柳州供电局", $"{m}月楼道照明电费",
                propose.AddHours(5.4));
            if (m % 3 == 0)
            {
                string[] small = ["更换楼道声控灯 6 个", "疏通 2 栋化粪池出水管", "院门铁门合页焊补", "更换 1 栋单元门锁"];
                Expense(oldQuarters, zhou, [wu], Repairs, 120_00 + random.Next(0, 30) * 10_00, "文惠路五金店", small[m / 3 % small.Length] + "（材料）", propose.AddHours(5.6));
            }

            // Over budget: a roof repair after the summer storms takes the repairs line past its plan; the committee's
            // second member turns the extra key.
            if (month == overBudgetMonth || (overBudgetMonth < firstDay && month == months[0]))
            {
                var at = At(month.AddDays(9), 10);
                Func<long?> roof = Expense(sunshine, firm, [zhao, sun], Repairs, null, "柳州宏泰防水工程有限公司",
                    "3 栋屋面防水层局部修补（暴雨后顶楼两户渗漏；已比较三家报价，取最低价）", at, approveAfter: TimeSpan.FromDays(1), payAfter: TimeSpan.FromDays(6));
                Plan(at.AddDays(6).AddHours(1), async () => { overBudget = roof(); await Task.CompletedTask; });
                Plan(at.AddDays(10), () => AsAsync(resident, async () =>
                {
                    if (overBudget is { } id)
                    {
                        var asked = await questions.AskAsync(db, sunshine.Id, id, new QuestionBody("屋面修补为什么超出预算？有没有比价？修完以后还漏不漏？"), "demo-question-1", ct);
                        if (_seed.Now.AddDays(2) > now)
                        {
                            return;
                        }

                        _seed.Now = _seed.Now.AddDays(2);
                        db.Scope = firm;
                        await questions.AnswerAsync(db, sunshine.Id, asked.Id, new QuestionBody(
                            "维修材料科目年初只列了 1.5 万元，这次屋面渗漏属于突发维修。我们比较了三家报价（宏泰、恒通、嘉豪），选了最低的一家，超出部分已经业委会赵主任、孙委员两位批准。修补后经过两场大雨，顶楼两户已确认不再渗漏。"), ct);
                    }
                }));
            }
        }

        // Last month: a proposal the committee turned down. Yesterday: one waiting for approval now.
        var lastMonth = today.AddDays(1 - today.Day).AddMonths(-1);
        if (lastMonth >= firstDay)
        {
            var at = At(lastMonth.AddDays(11), 10);
            var rejected = Expense(sunshine, firm, [], Lighting, 26_800_00, "柳州明辉灯具店", "中心花园景观灯改造为 LED 灯带（含 120 米灯带及控制器）", at);
            Plan(at.AddDays(1), () => AsAsync(zhao, async () =>
            {
                if (rejected() is { } id)
                {
                    await expenses.RejectAsync(db, sunshine.Id, id, "报价偏高，且不是今年急需的项目。请至少再取两家报价，明年列入预算后再提。", ct);
                }
            }));
        }

        Expense(sunshine, firm, [], Lift, 3_860_00, "柳州快捷电梯工程有限公司", "2 栋 1 单元电梯门机皮带及光幕更换（维保中发现磨损）", now.AddHours(-26));
        Expense(oldQuarters, zhou, [], Repairs, 380_00, "文惠路五金店", "2 栋楼顶水箱浮球阀更换（材料）", now.AddHours(-20));

        // An owner's question about the lift that nobody has answered yet (flagged once Fund:AnswerDays pass).
        Plan(now.AddDays(-9), () => AsAsync(resident, async () =>
        {
            if (lastLift is { } l)
            {
                await questions.AskAsync(db, sunshine.Id, l.Id, new QuestionBody("电梯每个月都在维保，为什么 3 栋 2 单元的电梯上周还停了两天？维保记录能公开吗？"), "demo-question-2", ct);
            }
        }));

        // The statement of every ended month, made just after it ended.
        foreach (var month in months.Where(m => m.AddMonths(1) <= today))
        {
            var end = At(month.AddMonths(1), 0.5);
            foreach (var estate in new[] { sunshine, oldQuarters })
            {
                Plan(end, () => AsAsync(system, () => statements.MakeAsync(db, estate.Id, month.Year, month.Month, ct)));
            }
        }

        var ran = 0;
        foreach (var (at, _, run) in _plan.OrderBy(p => p.At).ThenBy(p => p.Order))
        {
            if (at > now.AddMinutes(-5))
            {
                continue;
            }

            _seed.Now = at;
            await run();
            ran++;
        }

        db.Scope = system;
        db.ChangeTracker.Clear();
        var entries = await db.FundEntries.CountAsync(ct);
        log.LogInformation("Demo fund seeded: {Entries} ledger entries from {Steps} steps in {Seconds:N1} s", entries, ran, timer.Elapsed.TotalSeconds);

        // Proposes an expense, then has it approved by as many of the approvers as it needs, then paid; returns the expense once proposed.
        Func<long?> Expense(Estate estate, CurrentScope trustee, CurrentScope[] approvers, string line, long? amountFen, string payee, string memo, DateTimeOffset at,
            TimeSpan? approveAfter = null, TimeSpan? payAfter = null)
        {
            long? id = null;
            Plan(at, () => AsAsync(trustee, async () =>
            {
                var lineId = _lines.TryGetValue((estate.Id, line), out var l) ? l : (long?)null;
                var fen = amountFen;
                if (fen is null && lineId is { } over)
                {
                    // What the line has left, and a bit more: the extra approval is needed.
                    var used = (await budgets.LineUsageAsync(db, estate.Id, _seed.Now.ToChina().Year, ct)).GetValueOrDefault(over);
                    var planned = await db.FundBudgetLines.AsNoTracking().Where(b => b.Id == over).Select(b => b.PlannedFen).SingleAsync(ct);
                    fen = Math.Max(6_800_00, (planned - used.SpentFen - used.CommittedFen + 2_680_00) / 1000 * 1000);
                }

                var proposed = await expenses.ProposeAsync(db, estate.Id, new ProposeExpenseBody(fen ?? 1_000_00, lineId, payee, memo, null),
                    $"demo-{estate.Id}-{at.UtcTicks}", ct);
                id = proposed.Id;
            }));
            if (approvers.Length == 0)
            {
                return () => id;
            }

            var approveAt = at + (approveAfter ?? TimeSpan.FromDays(1)) + TimeSpan.FromMinutes(random.Next(0, 240));
            Plan(approveAt, async () =>
            {
                for (var i = 0; i < approvers.Length && id is { } expenseId; i++)
                {
                    var status = ExpenseStatus.Proposed;
                    await AsAsync(approvers[i], async () => status = (await expenses.ApproveAsync(db, estate.Id, expenseId, ct)).Status);
                    _seed.Now = _seed.Now.AddHours(3);
                    if (status != ExpenseStatus.Proposed)
                    {
                        break;
                    }
                }
            });
            Plan(at + (payAfter ?? TimeSpan.FromDays(2)) + TimeSpan.FromHours(6), () => AsAsync(trustee, async () =>
            {
                if (id is not { } expenseId || (await FundExpenses.FindAsync(db, estate.Id, expenseId, ct)).Status != ExpenseStatus.Approved)
                {
                    return;
                }

                try
                {
                    await expenses.PayAsync(db, estate.Id, expenseId, new PayExpenseBody($"PZ{_seed.Now.ToChina():yyyyMMdd}-{expenseId:D4}", null), $"demo-pay-{expenseId}", ct);
                }
                catch (ConflictException e)
                {
                    // Not enough in the fund: it stays approved and unpaid, as it would.
                    log.LogInformation("Demo expense {Id} left unpaid: {Reason}", expenseId, e.Message);
                }
            }));
            return () => id;
        }
    }

    private static async Task AddAdminAsync(NeighbourHubDbContext db, UserManager<AdminUser> users, string userName, string displayName, string password, long estateId)
    {
        var user = new AdminUser { UserName = userName, DisplayName = displayName, LockoutEnabled = true };
        var result = await users.CreateAsync(user, password);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"Demo admin {userName}: {string.Join(" ", result.Errors.Select(e => e.Description))}");
        }

        db.RoleAssignments.Add(RoleAssignment.Create(user.Id, AdminRole.CommitteeMember, estateId));
        await db.SaveChangesAsync();
    }
}
