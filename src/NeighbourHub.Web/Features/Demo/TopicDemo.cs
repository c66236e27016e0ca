using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Features.Identity;
using NeighbourHub.Web.Features.Moderation;
using NeighbourHub.Web.Features.Organisation;
using NeighbourHub.Web.Features.Repairs;
using NeighbourHub.Web.Features.Residents;
using NeighbourHub.Web.Features.Topics;
using NeighbourHub.Web.Tenancy;
using NeighbourHub.WeChat;

namespace NeighbourHub.Web.Features.Demo;

/// <summary>
/// 议事 in 阳光花园 (the lift since the autumn, the rest over three weeks), lived through <see cref="TopicBoard"/> on a clock moved forward: topics in every
/// state the board itself reaches — open with supporters, a major one (加装电梯) sorted and waiting for the owners'
/// vote, a routine one handed to the trustee as a repair, a minor one decided by the 议事会, one decided and closed,
/// one rejected, one held for review — with neighbours' supports and comments.
/// <para>
/// The 加装电梯 topic is found by <see cref="LiftTopicIdAsync"/> (its title <see cref="LiftTitle"/> in 阳光花园), so the
/// votes demo can put it to the vote (<see cref="TopicBoard.PutToVoteAsync"/>) and decide it when the vote closes.
/// The neighbours added here live as family members and tenants, so the owners' electorate is not changed.
/// </para>
/// </summary>
public sealed class TopicDemo(IServiceProvider services, TimeProvider clock)
{
    public const string LiftTitle = "为1–4栋加装电梯";

    /// <summary>The demo's 加装电梯 topic (major, accepted, waiting for its vote) in the estate, if seeded.</summary>
    public static Task<long?> LiftTopicIdAsync(NeighbourHubDbContext db, long estateId, CancellationToken ct) =>
        db.Topics.Where(t => t.EstateId == estateId && t.Title == LiftTitle).OrderBy(t => t.Id).Select(t => (long?)t.Id).FirstOrDefaultAsync(ct);

    private static readonly (string OpenId, string Nickname, string RealName, int Flat, ResidenceRelation Relation)[] Neighbours =
    [
        ("dev-yishi-chen", "陈阿婆", "陈桂兰", 12, ResidenceRelation.Family),
        ("dev-yishi-huang", "老黄", "黄志强", 33, ResidenceRelation.Tenant),
        ("dev-yishi-lin", "林老师", "林晓燕", 71, ResidenceRelation.Family),
        ("dev-yishi-zhou", "周师傅", "周建华", 98, ResidenceRelation.Tenant),
        ("dev-yishi-wu", "吴姐", "吴秀梅", 135, ResidenceRelation.Family),
        ("dev-yishi-zheng", "郑叔", "郑国平", 166, ResidenceRelation.Family),
        ("dev-yishi-he", "何丽娟", "何丽娟", 201, ResidenceRelation.Tenant),
        ("dev-yishi-ma", "马大爷", "马德明", 243, ResidenceRelation.Family),
    ];

    public async Task SeedAsync(NeighbourHubDbContext db, Estate estate, Resident zhang, CancellationToken ct)
    {
        var system = db.Scope;
        var now = clock.GetUtcNow();
        // The lift was raised in the autumn (its owners' vote has been held since); the other topics are recent.
        var at = new DemoClock(now.AddDays(-75));
        var screen = services.GetRequiredService<ContentScreen>();
        var repairs = new RepairService(at);
        var board = new TopicBoard(screen, repairs, at);
        var resolver = services.GetRequiredService<AccessScopeResolver>();

        // Neighbours who take part: approved family members and tenants spread over the four buildings.
        var flats = await db.Households.Where(h => h.EstateId == estate.Id).OrderBy(h => h.Id).Select(h => h.Id).ToListAsync(ct);
        var people = new List<Resident>();
        foreach (var n in Neighbours)
        {
            var r = new Resident { OpenId = n.OpenId, Nickname = n.Nickname, CreatedAt = now.AddDays(-110), LastLoginAt = now };
            db.Residents.Add(r);
            people.Add(r);
        }

        await db.SaveChangesAsync(ct);
        for (var i = 0; i < people.Count; i++)
        {
            var residence = Residence.Apply(people[i].Id, flats[Neighbours[i].Flat], estate.Id, Neighbours[i].Relation, Neighbours[i].RealName, now.AddDays(-100));
            residence.Approve(null, now.AddDays(-99));
            db.Residences.Add(residence);
        }

        await db.SaveChangesAsync(ct);

        var committeeId = await (from a in db.RoleAssignments
                                 where a.Role == AdminRole.CommitteeMember && a.EstateId == estate.Id
                                 orderby a.Id
                                 select a.AdminUserId).FirstAsync(ct);
        var committeeName = await db.Users.Where(u => u.Id == committeeId).Select(AdminUser.Named).Select(u => u.Name).SingleAsync(ct);
        var committee = CurrentScope.For(new AccessScope(ScopeKind.Admin, true, [estate.Id], [estate.CommunityId], AdminUserId: committeeId,
            ActorName: committeeName, Roles: [AdminRole.CommitteeMember]));

        async Task As(Resident who)
        {
            db.Scope = system; // the resolver reads residences, which a resident scope would narrow to its own
            db.Scope = CurrentScope.For(await resolver.ForResidentAsync(db, who.Id, ct));
        }

        async Task<long> RaiseAsync(Resident who, string title, string body, TopicBoard? by = null)
        {
            await As(who);
            return (await (by ?? board).RaiseAsync(db, new RaiseTopicBody(estate.Id, title, body), ct)).Id;
        }

        async Task DiscussAsync(long topicId, int supporters, params (int Who, string Text)[] comments)
        {
            foreach (var who in people.Take(supporters))
            {
                at.Now += TimeSpan.FromMinutes(37);
                await As(who);
                await board.SupportAsync(db, topicId, ct);
            }

            foreach (var (who, text) in comments)
            {
                at.Now += TimeSpan.FromHours(2);
                await As(who < 0 ? zhang : people[who]);
                await board.CommentAsync(db, topicId, new TopicCommentBody(text), ct);
            }
        }

        async Task AsCommittee(Func<Task> step)
        {
            at.Now += TimeSpan.FromDays(1);
            db.Scope = committee;
            await step();
        }

        // 加装电梯: a major matter (大事) — sorted for the owners' vote, which the votes demo holds.
        var lift = await RaiseAsync(zhang, LiftTitle,
            "小区 1–4 栋都是 11 层，只有一部货梯且经常停用，楼上住着不少七八十岁的老人，上下楼非常困难。建议按市里老旧小区加装电梯的补贴政策，"
            + "为每个单元加装一部电梯，费用由政府补贴一部分、其余按楼层分摊，低层住户少出或不出。请业委会组织全体业主表决。");
        await DiscussAsync(lift, 8, (0, "我家老伴腿脚不好，每天下楼买菜都要歇好几次，强烈支持！"), (3, "二楼住户担心噪音和采光，建议先公示设计方案和分摊比例。"),
            (-1, "谢谢大家支持。分摊方案可以参考隔壁小区：六层以上多出一些，一二层不出。"));
        await AsCommittee(() => board.ClassifyAsync(db, lift, new ClassifyTopicBody("major", "涉及改建公共部分和筹集费用，属《民法典》第二百七十八条须业主共同决定的事项，提交业主大会表决。", null, null), ct));
        at.Now = now.AddDays(-21);

        // 楼道堆物清理: routine (琐事) — handed to the trustee as a public-area repair.
        at.Now += TimeSpan.FromDays(1);
        var clutter = await RaiseAsync(people[1], "楼道堆物清理",
            "2栋1单元和2单元楼道里堆了纸箱、旧沙发和电动车电池，已经堵了一半通道，晚上看不清容易绊倒，也有消防隐患。希望物业组织清理，并提醒大家不要再堆放。");
        await DiscussAsync(clutter, 5, (4, "3栋也有同样情况，顺便一起查一查吧。"));
        // Handed over as 环境卫生 (not the estate's first category, 水电), and cleared by the firm the same day, as
        // its 24-hour deadline asks — a handed-over repair left open for weeks would sit on the board as overdue.
        var cleaning = await db.RepairCategories.Where(c => c.EstateId == estate.Id && c.Name == "环境卫生").Select(c => (long?)c.Id).FirstOrDefaultAsync(ct);
        await AsCommittee(() => board.ClassifyAsync(db, clutter, new ClassifyTopicBody("routine", "属物业日常管理，转交物业限期清理。", cleaning, "2栋1单元、2单元楼道"), ct));
        var clutterRepair = await db.Topics.Where(t => t.Id == clutter).Select(t => t.RepairId).SingleAsync(ct);
        var cleaner = (await repairs.StaffForAsync(db, estate.Id, ct)).FirstOrDefault(s => s.Role == AdminRole.FirmStaff);
        if (clutterRepair is { } repairId && cleaner is not null)
        {
            var account = await db.Users.Where(u => u.Id == cleaner.Id).Select(u => u.UserName).SingleAsync(ct);
            db.Scope = CurrentScope.For(new AccessScope(ScopeKind.Admin, true, [estate.Id], [estate.CommunityId], AdminUserId: cleaner.Id,
                ActorName: account ?? cleaner.Name, Roles: [AdminRole.FirmStaff]));
            at.Now += TimeSpan.FromHours(2);
            await repairs.AssignAsync(db, repairId, cleaner.Id, ct);
            at.Now += TimeSpan.FromHours(1);
            await repairs.StartAsync(db, repairId, ct);
            at.Now += TimeSpan.FromHours(5);
            await repairs.ResolveAsync(db, repairId, "已清运纸箱、旧沙发和电池，楼道张贴禁止堆物提示；3栋楼道一并检查，无堆物。", null, ct);
        }

        // 广场舞音量时段: minor (小事) — the 议事会 talked it over and decided.
        at.Now += TimeSpan.FromDays(1);
        var dance = await RaiseAsync(people[2], "广场舞音量和时段",
            "中心广场每晚跳广场舞到十点左右，音箱声音很大，临街几栋的老人和学生休息、学习都受影响。建议限定时间和音量，大家都能接受。");
        await DiscussAsync(dance, 6, (5, "跳舞是好事，但确实太吵了，九点前结束就好。"), (6, "可以换成小音箱，或者用蓝牙耳机。"));
        await AsCommittee(() => board.ClassifyAsync(db, dance, new ClassifyTopicBody("minor", "涉及居民作息，由小区议事会协商。", null, null), ct));
        await AsCommittee(() => board.DecideAsync(db, dance, new DecideTopicBody("广场舞时间为每晚 19:00–21:00，音量不超过 60 分贝，由舞蹈队队长负责；物业在广场张贴公约。",
            "议事会 9 人参加，舞蹈队代表和临街住户代表到会，一致同意"), ct));

        // 中秋邻里游园会: minor, decided, and closed once it was held.
        at.Now += TimeSpan.FromDays(1);
        var fair = await RaiseAsync(people[4], "中秋节办邻里游园会",
            "建议中秋节前在中心广场办一次邻里游园会，猜灯谜、包月饼，让新搬来的邻居也互相认识。");
        await DiscussAsync(fair, 7, (7, "我可以教大家做广式月饼！"));
        await AsCommittee(() => board.ClassifyAsync(db, fair, new ClassifyTopicBody("minor", "社区活动，由业委会与社区协商组织。", null, null), ct));
        await AsCommittee(() => board.DecideAsync(db, fair, new DecideTopicBody("同意举办，费用从公共收益中列支不超过 3000 元，志愿者报名参与组织。", null), ct));
        await AsCommittee(() => board.CloseAsync(db, fair, new Hosting.ReasonBody("游园会已于中秋前一周举办，约 200 位居民参加。"), ct));

        // 取消物业费: rejected — not something the 议事会 can decide.
        at.Now += TimeSpan.FromDays(1);
        var fee = await RaiseAsync(people[3], "建议取消物业费", "物业服务一般，建议大家都不交物业费了。");
        await AsCommittee(() => board.RejectAsync(db, fee, new Hosting.ReasonBody(
            "物业费标准由物业服务合同约定，不属于议事会可以决定的事项；对服务质量的意见请通过报事报修和业主大会提出，业委会将在下次物业考评中汇总。"), ct));

        // 电动自行车充电桩: open, gathering support before the committee sorts it.
        at.Now += TimeSpan.FromDays(2);
        var charging = await RaiseAsync(people[5], "增设电动自行车充电桩",
            "很多人把电动车推上楼充电，非常危险。建议在 1 栋和 3 栋旁的车棚加装智能充电桩，按次扫码付费。");
        await DiscussAsync(charging, 6, (1, "支持，楼道充电太危险了。"), (7, "车棚位置不够，能不能同时扩建一下？"));

        // 快递车占用消防通道: held by content screening, waiting for staff review.
        at.Now = now.AddHours(-3);
        var doubtful = new TopicBoard(new ContentScreen(new ReviewEverything(), NullLogger<ContentScreen>.Instance), repairs, at);
        await RaiseAsync(people[6], "快递车长期占用消防通道", "北门消防通道每天上午都被快递车和外卖电动车堵住，几次救护车都进不来，希望管一管。", doubtful);

        db.Scope = system;
        db.ChangeTracker.Clear();
    }

    /// <summary>WeChat content security as it answers text it is unsure of: "review" (the sandbox passes everything).</summary>
    private sealed class ReviewEverything : IWeChatMiniProgram
    {
        public Task<ContentCheckResult> CheckTextAsync(string openId, int scene, string content, CancellationToken ct) =>
            Task.FromResult(new ContentCheckResult(ContentSuggestion.Review, "21000"));

        public Task<WeChatSession> Code2SessionAsync(string code, CancellationToken ct) => throw new NotSupportedException();

        public Task<WeChatPhone> GetPhoneNumberAsync(string code, CancellationToken ct) => throw new NotSupportedException();

        public Task<SubscribeSendResult> SendSubscribeMessageAsync(SubscribeMessage message, CancellationToken ct) => throw new NotSupportedException();
    }
}
