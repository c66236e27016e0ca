using Microsoft.EntityFrameworkCore;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Features.Identity;
using NeighbourHub.Web.Features.Notices;
using NeighbourHub.Web.Features.Organisation;
using NeighbourHub.Web.Features.Residents;

namespace NeighbourHub.Web.Features.Demo;

/// <summary>
/// The notice board of 河东社区 as a resident finds it: community notices (垃圾分类, 消防演练), 阳光花园's (停水, pinned;
/// 电梯年检), one for 2栋 (外墙维修), one for 老机关宿舍, and a 停电 notice scheduled for later this week with a subscribe
/// message. Forty verified family members spread over 阳光花园's four buildings have opened some of them, so the read
/// receipts per building and the unread flats show something real. Written through <see cref="NoticeBoard.AddAsync"/>,
/// as another feature would.
/// </summary>
public sealed class NoticeDemo(NoticeBoard board, TimeProvider clock)
{
    private const string Office = "河东社区 李主任（社区居委会）";
    private const string Firm = "安居物业 王经理（物业）";

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    public async Task SeedAsync(NeighbourHubDbContext db, Community community, Estate sunshine, Estate oldQuarters, Resident zhang, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var buildings = await db.Buildings.Where(b => b.EstateId == sunshine.Id).OrderBy(b => b.Id).ToListAsync(ct);

        async Task<Notice> Post(NoticeScopeLevel level, long scopeId, string title, string body, DateTimeOffset at, string by, bool pinned = false, bool notify = false)
        {
            var n = await board.AddAsync(db, new NoticeDraft(level, scopeId, title, body, pinned, at, notify, []), by, ct);
            n.CreatedAt = at.AddMinutes(-10);
            // Past notices were announced when they were published; the scheduled one is announced by the job at its time.
            n.NotifiedAt = notify && at <= now ? at : null;
            return n;
        }

        var sorting = await Post(NoticeScopeLevel.Community, community.Id, "关于落实生活垃圾分类新规的通知",
            "根据《柳州市生活垃圾分类管理条例》，自下月 1 日起各小区实行定时定点投放：早 7:00–9:00、晚 18:00–21:00。\n"
            + "厨余垃圾请破袋投放，可回收物、有害垃圾投放至对应桶内，大件垃圾请预约清运。社区志愿者将在投放点督导两周。", now.AddDays(-9), Office, notify: true);
        var drill = await Post(NoticeScopeLevel.Community, community.Id, "社区消防演练通知",
            "本周六上午 9:30 在河东社区党群服务中心广场举行消防疏散演练，届时将拉响警报，请居民不要惊慌。欢迎各小区居民参加灭火器使用体验。", now.AddDays(-3), Office);
        var water = await Post(NoticeScopeLevel.Estate, sunshine.Id, "停水通知",
            "因二次供水水箱清洗消毒，明日 8:00–14:00 阳光花园全小区停水，请提前储水。恢复供水初期水质可能浑浊，请放水片刻后再使用。\n如有疑问请致电物业服务中心 0772-2880000。",
            now.AddHours(-20), Firm, pinned: true, notify: true);
        var lift = await Post(NoticeScopeLevel.Estate, sunshine.Id, "电梯年度检验通知",
            "市特种设备检验所将于下周二、周三对小区电梯进行年度检验，每部电梯检验约 2 小时，检验期间暂停使用，请合理安排出行。", now.AddDays(-5), Firm);
        var wall = await Post(NoticeScopeLevel.Building, buildings[1].Id, "2栋外墙维修施工告知",
            "2栋北侧外墙渗水维修将于本月 15 日开工，工期约 10 天，施工期间请关好北侧窗户，勿在楼下停放车辆。", now.AddDays(-2), Firm);
        await Post(NoticeScopeLevel.Estate, oldQuarters.Id, "楼道杂物清理通知",
            "为消除消防隐患，物管会将于本周日统一清理楼道堆放的杂物，请各户在周六前自行搬离。", now.AddDays(-4), "老机关宿舍物管会（业委会）");
        await Post(NoticeScopeLevel.Estate, sunshine.Id, "计划停电检修通知",
            "供电局将对小区配电房进行检修，届时全小区停电约 4 小时，电梯暂停运行，请提前做好准备。", now.AddDays(3), Firm, notify: true);
        await db.SaveChangesAsync(ct);

        // Forty family members verified across 阳光花园's buildings (relation 家属: no effect on owners' votes).
        var flats = await db.Households.Where(h => h.EstateId == sunshine.Id).OrderBy(h => h.Id).ToListAsync(ct);
        var readers = Enumerable.Range(1, 40).Select(i => new Resident
        {
            OpenId = $"dev-reader-{i}",
            Nickname = $"邻居{i}",
            CreatedAt = now.AddDays(-30),
            LastLoginAt = now.AddDays(-1),
        }).ToList();
        db.Residents.AddRange(readers);
        await db.SaveChangesAsync(ct);
        var homes = new Dictionary<long, long>();
        for (var i = 0; i < readers.Count; i++)
        {
            var flat = flats[(i * 6 + 3) % flats.Count];
            var residence = Residence.Apply(readers[i].Id, flat.Id, sunshine.Id, ResidenceRelation.Family, $"邻居{i + 1}", now.AddDays(-28));
            residence.Approve(null, now.AddDays(-27));
            db.Residences.Add(residence);
            homes[readers[i].Id] = flat.BuildingId;
        }

        await db.SaveChangesAsync(ct);

        // Who opened what: older and pinned notices more often, and 1栋 more diligently than 4栋.
        var random = new Random(20261202);
        foreach (var r in readers)
        {
            var building = buildings.FindIndex(b => b.Id == homes[r.Id]);
            var diligence = 0.85 - (building * 0.15);
            foreach (var (notice, share) in new[] { (sorting, 0.9), (drill, 0.6), (water, 0.95), (lift, 0.7), (wall, 0.8) })
            {
                if (notice == wall && homes[r.Id] != buildings[1].Id)
                {
                    continue;
                }

                if (random.NextDouble() < share * diligence)
                {
                    db.NoticeReads.Add(new NoticeRead { NoticeId = notice.Id, ResidentId = r.Id, At = Min(notice.PublishAt.AddMinutes(random.Next(5, 60 * 20)), now) });
                }
            }
        }

        db.NoticeReads.Add(new NoticeRead { NoticeId = lift.Id, ResidentId = zhang.Id, At = lift.PublishAt.AddHours(2) });
        db.NoticeReads.Add(new NoticeRead { NoticeId = sorting.Id, ResidentId = zhang.Id, At = sorting.PublishAt.AddHours(5) });
        await db.SaveChangesAsync(ct);
    }
}
