using NeighbourHub.Web.Features.Identity;
using NeighbourHub.Web.Features.Residents;
using NeighbourHub.Web.Hosting;

namespace NeighbourHub.UnitTests;

public sealed class ResidenceRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_new_application_is_pending_and_holds_the_live_key()
    {
        var r = Residence.Apply(7, 42, 3, ResidenceRelation.Owner, "张三", Now);
        Assert.Equal(ResidenceStatus.Pending, r.Status);
        Assert.Equal("7:42", r.ActiveKey);
    }

    [Fact]
    public void Approval_keeps_the_live_key_and_records_who_and_when()
    {
        var r = Residence.Apply(7, 42, 3, ResidenceRelation.Tenant, "张三", Now);
        r.Approve(99, Now.AddHours(1));
        Assert.Equal(ResidenceStatus.Approved, r.Status);
        Assert.Equal(99, r.DecidedByAdminId);
        Assert.Equal(Now.AddHours(1), r.DecidedAt);
        Assert.Equal("7:42", r.ActiveKey);
    }

    [Fact]
    public void Rejection_frees_the_live_key_so_the_resident_may_apply_again()
    {
        var r = Residence.Apply(7, 42, 3, ResidenceRelation.Family, "张三", Now);
        r.Reject(99, "资料不符", Now);
        Assert.Equal(ResidenceStatus.Rejected, r.Status);
        Assert.Null(r.ActiveKey);
        Assert.Equal("资料不符", r.RejectReason);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_decided_application_cannot_be_decided_again(bool approvedFirst)
    {
        var r = Residence.Apply(7, 42, 3, ResidenceRelation.Owner, "张三", Now);
        if (approvedFirst)
        {
            r.Approve(1, Now);
        }
        else
        {
            r.Reject(1, "no", Now);
        }

        Assert.Throws<ConflictException>(() => r.Approve(2, Now));
        Assert.Throws<ConflictException>(() => r.Reject(2, "again", Now));
    }

    [Fact]
    public void Invite_approval_records_the_code()
    {
        var r = Residence.Apply(7, 42, 3, ResidenceRelation.Owner, "张三", Now);
        r.ApproveWithInvite(5, Now);
        Assert.Equal(ResidenceStatus.Approved, r.Status);
        Assert.Equal(5, r.InviteCodeId);
        Assert.Null(r.DecidedByAdminId);
    }

    [Fact]
    public void Invite_codes_use_the_unambiguous_alphabet()
    {
        for (var i = 0; i < 200; i++)
        {
            var code = InviteCode.NewCode();
            Assert.Equal(InviteCode.Length, code.Length);
            Assert.All(code, c => Assert.Contains(c, InviteCode.Alphabet));
            Assert.DoesNotContain('0', code);
            Assert.DoesNotContain('O', code);
            Assert.DoesNotContain('1', code);
            Assert.DoesNotContain('I', code);
        }
    }

    [Theory]
    [InlineData(AdminRole.CommunityAdmin)]
    [InlineData(AdminRole.FirmStaff)]
    [InlineData(AdminRole.GridWorker)]
    [InlineData(AdminRole.CommitteeMember)]
    public void Scoped_roles_need_a_scope_and_keep_it_in_the_matching_column(AdminRole role)
    {
        Assert.Throws<ArgumentException>(() => RoleAssignment.Create(1, role, null));
        var a = RoleAssignment.Create(1, role, 8);
        Assert.Equal(8, a.ScopeId);
        var columns = new[] { a.CommunityId, a.PropertyFirmId, a.GridId, a.EstateId };
        Assert.Single(columns, c => c is not null);
    }

    [Fact]
    public void Platform_admin_has_no_scope()
    {
        var a = RoleAssignment.Create(1, AdminRole.PlatformAdmin, 8);
        Assert.Null(a.ScopeId);
    }
}
