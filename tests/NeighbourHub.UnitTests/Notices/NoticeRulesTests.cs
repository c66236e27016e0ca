using NeighbourHub.Web.Features.Identity;
using NeighbourHub.Web.Features.Notices;
using NeighbourHub.Web.Hosting;
using NeighbourHub.Web.Tenancy;

namespace NeighbourHub.UnitTests.Notices;

/// <summary>Who may post at which level (NoticeRights), the scope level as sent, and the order of flats and buildings.</summary>
public sealed class NoticeRulesTests
{
    private const long CommunityA = 1;
    private const long EstateA1 = 10;
    private const long EstateB1 = 20;

    private static AccessScope Staff(AdminRole role, long[] estates, long[]? office = null) =>
        new(ScopeKind.Admin, false, estates, [CommunityA], AdminUserId: 7, Roles: [role], OfficeCommunityIds: office ?? []);

    [Fact]
    public void Only_the_community_office_and_platform_admins_post_to_a_whole_community()
    {
        var platform = new AccessScope(ScopeKind.Admin, true, [], [], AdminUserId: 1, Roles: [AdminRole.PlatformAdmin]);
        Assert.True(NoticeRights.MayPost(platform, NoticeScopeLevel.Community, CommunityA, null));
        Assert.True(NoticeRights.MayPost(Staff(AdminRole.CommunityAdmin, [EstateA1], [CommunityA]), NoticeScopeLevel.Community, CommunityA, null));
        Assert.False(NoticeRights.MayPost(Staff(AdminRole.CommunityAdmin, [EstateB1], [2]), NoticeScopeLevel.Community, CommunityA, null));
        foreach (var role in new[] { AdminRole.FirmStaff, AdminRole.CommitteeMember, AdminRole.GridWorker })
        {
            Assert.False(NoticeRights.MayPost(Staff(role, [EstateA1]), NoticeScopeLevel.Community, CommunityA, null));
            Assert.True(NoticeRights.MayPost(Staff(role, [EstateA1]), NoticeScopeLevel.Estate, CommunityA, EstateA1));
            Assert.True(NoticeRights.MayPost(Staff(role, [EstateA1]), NoticeScopeLevel.Building, CommunityA, EstateA1));
            Assert.False(NoticeRights.MayPost(Staff(role, [EstateA1]), NoticeScopeLevel.Estate, CommunityA, EstateB1));
        }

        var resident = new AccessScope(ScopeKind.Resident, false, [EstateA1], [CommunityA], ResidentId: 3);
        Assert.False(NoticeRights.MayPost(resident, NoticeScopeLevel.Estate, CommunityA, EstateA1));
        var e = Assert.Throws<ForbiddenException>(() => NoticeRights.CheckPost(Staff(AdminRole.FirmStaff, [EstateA1]), NoticeScopeLevel.Community, CommunityA, null));
        Assert.Contains("社区管理员", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("community", NoticeScopeLevel.Community)]
    [InlineData("estate", NoticeScopeLevel.Estate)]
    [InlineData("building", NoticeScopeLevel.Building)]
    public void Levels_are_read_as_sent(string wire, NoticeScopeLevel level)
    {
        var v = new Validation();
        Assert.Equal(level, NoticeBoard.ParseLevel(wire, v));
        Assert.True(v.IsValid);
        Assert.Equal(wire, NoticeBoard.Wire(level));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Estate")]
    [InlineData("street")]
    [InlineData("0")]
    public void Any_other_level_is_a_field_error_in_chinese(string? wire)
    {
        var v = new Validation();
        Assert.Null(NoticeBoard.ParseLevel(wire, v));
        Assert.Contains("公告范围", Assert.Single(v.Errors["scopeLevel"]), StringComparison.Ordinal);
    }

    [Fact]
    public void Buildings_and_flats_sort_by_their_numbers()
    {
        string[] names = ["10栋", "2栋", "1栋", "2栋1单元1101", "2栋1单元502", "2栋1单元0501"];
        Assert.Equal(["1栋", "2栋", "2栋1单元0501", "2栋1单元502", "2栋1单元1101", "10栋"], names.Order(NaturalOrder.Instance));
    }
}
