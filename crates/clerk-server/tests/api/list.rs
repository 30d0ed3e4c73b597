//! `GET /users` and `GET /users/count`: every filter, every `order_by` field, paging.

use serde_json::{json, Value};

use crate::support::TestServer;

/// Five users with distinct, predictable attributes; returned in creation order.
async fn seed(s: &TestServer) -> Vec<String> {
    let bodies = [
        json!({"first_name": "Alice", "last_name": "Zed", "username": "alice_a", "external_id": "ext-a",
               "email_address": ["alice@alpha.com"], "phone_number": ["+15550000001"],
               "web3_wallet": ["0x1111111111111111111111111111111111111111"],
               "created_at": "2020-01-01T00:00:00Z"}),
        json!({"first_name": "Bob", "last_name": "Young", "username": "bob_b", "external_id": "ext-b",
               "email_address": ["bob@beta.org"], "phone_number": ["+15550000002"],
               "created_at": "2021-01-01T00:00:00Z", "banned": true}),
        json!({"first_name": "Carol", "last_name": "Xu", "username": "carol_c",
               "email_address": ["carol@alpha.com"],
               "web3_wallet": ["0x3333333333333333333333333333333333333333"],
               "created_at": "2022-01-01T00:00:00Z"}),
        json!({"first_name": "dave", "username": "Dave_D", "external_id": "ext-d",
               "phone_number": ["+15550000004"], "created_at": "2023-01-01T00:00:00Z"}),
        json!({"last_name": "Walker", "email_address": ["Eve@Gamma.net"],
               "created_at": "2024-01-01T00:00:00Z"}),
    ];
    let mut ids = Vec::new();
    for body in bodies {
        ids.push(s.create_user(body).await["id"].as_str().unwrap().to_owned());
    }
    ids
}

fn pick(ids: &[String], which: &[usize]) -> Vec<String> {
    which.iter().map(|&i| ids[i].clone()).collect()
}

async fn default_order_limit_and_shape(s: TestServer) {
    let ids = seed(&s).await;
    let list = s.get("/users").await.ok();
    assert!(list.is_array(), "a bare array, no wrapper");
    assert_eq!(
        super::support::ids(&list),
        pick(&ids, &[4, 3, 2, 1, 0]),
        "newest first"
    );
    for _ in 0..8 {
        s.create_user(json!({})).await;
    }
    assert_eq!(s.list_ids("").await.len(), 10, "default limit is 10");
    assert_eq!(s.list_ids("limit=500").await.len(), 13);
    s.get("/users?limit=0")
        .await
        .form_err("form_param_value_invalid", "limit");
    s.get("/users?limit=501")
        .await
        .form_err("form_param_value_invalid", "limit");
    s.get("/users?offset=-1")
        .await
        .form_err("form_param_value_invalid", "offset");
    assert_eq!(
        s.get("/users?limit=ten")
            .await
            .err(400, "invalid_query_parameter_value")
            .as_deref(),
        Some("limit")
    );
    assert_eq!(
        s.get("/users?banned=maybe")
            .await
            .err(400, "invalid_query_parameter_value")
            .as_deref(),
        Some("banned")
    );
}

async fn offset_and_cursor_paging_agree(s: TestServer) {
    let ids = seed(&s).await;
    let all = s.list_ids("limit=500").await;
    assert_eq!(all, pick(&ids, &[4, 3, 2, 1, 0]));
    assert_eq!(s.list_ids("limit=2&offset=2").await, all[2..4].to_vec());
    // Walk with starting_after, both directions.
    let mut walked = Vec::new();
    let mut cursor = String::new();
    loop {
        let page = s.list_ids(&format!("limit=2{cursor}")).await;
        walked.extend(page.clone());
        if page.len() < 2 {
            break;
        }
        cursor = format!("&starting_after={}", page.last().unwrap());
    }
    assert_eq!(walked, all);
    let asc = s
        .list_ids(&format!("order_by=%2Bcreated_at&starting_after={}", ids[1]))
        .await;
    assert_eq!(asc, pick(&ids, &[2, 3, 4]));
    s.get(&format!(
        "/users?order_by=username&starting_after={}",
        ids[0]
    ))
    .await
    .form_err("form_conditional_param_disallowed", "starting_after");
    s.get(&format!("/users?offset=1&starting_after={}", ids[0]))
        .await
        .form_err("form_conditional_param_disallowed", "starting_after");
    s.get("/users?starting_after=user_unknown")
        .await
        .form_err("form_resource_not_found", "starting_after");
}

async fn order_by_every_field(s: TestServer) {
    let ids = seed(&s).await;
    // Nulls sort first ascending (and last descending) on both stores.
    let cases: &[(&str, &[usize])] = &[
        ("created_at", &[0, 1, 2, 3, 4]),
        ("-created_at", &[4, 3, 2, 1, 0]),
        ("+created_at", &[0, 1, 2, 3, 4]),
        ("updated_at", &[0, 1, 2, 3, 4]),
        ("-updated_at", &[4, 3, 2, 1, 0]),
        ("email_address", &[3, 0, 1, 2, 4]),
        ("-email_address", &[4, 2, 1, 0, 3]),
        ("phone_number", &[2, 4, 0, 1, 3]),
        ("-phone_number", &[3, 1, 0, 4, 2]),
        ("web3wallet", &[1, 3, 4, 0, 2]),
        ("-web3wallet", &[2, 0, 4, 3, 1]),
        ("first_name", &[4, 0, 1, 2, 3]),
        ("-first_name", &[3, 2, 1, 0, 4]),
        ("last_name", &[3, 4, 2, 1, 0]),
        ("-last_name", &[0, 1, 2, 4, 3]),
        ("username", &[4, 3, 0, 1, 2]),
        ("-username", &[2, 1, 0, 3, 4]),
        ("last_active_at", &[0, 1, 2, 3, 4]),
        ("-last_active_at", &[4, 3, 2, 1, 0]),
        ("last_sign_in_at", &[0, 1, 2, 3, 4]),
        ("-last_sign_in_at", &[4, 3, 2, 1, 0]),
    ];
    for (order, expected) in cases {
        let got = s
            .list_ids(&format!("limit=500&order_by={}", order.replace('+', "%2B")))
            .await;
        assert_eq!(got, pick(&ids, expected), "order_by={order}");
    }
    // The first order_by wins.
    assert_eq!(
        s.list_ids("order_by=first_name&order_by=-last_name").await,
        pick(&ids, &[4, 0, 1, 2, 3])
    );
    s.get("/users?order_by=password")
        .await
        .form_err("form_param_value_invalid", "order_by");
}

/// Asserts that list and count agree on `query`, returning users `expected` (newest first).
async fn expect(s: &TestServer, ids: &[String], query: &str, expected: &[usize]) {
    let mut want = pick(ids, expected);
    want.reverse();
    assert_eq!(
        s.list_ids(&format!("limit=500&{query}")).await,
        want,
        "list ?{query}"
    );
    assert_eq!(
        s.count(query).await,
        expected.len() as i64,
        "count ?{query}"
    );
}

async fn identifier_filters(s: TestServer) {
    let ids = seed(&s).await;
    expect(
        &s,
        &ids,
        "email_address=ALICE@alpha.com&email_address=eve@gamma.net&email_address=none@x.com",
        &[0, 4],
    )
    .await;
    expect(&s, &ids, "email_address[]=bob@beta.org", &[1]).await;
    expect(
        &s,
        &ids,
        "phone_number=%2B15550000002&phone_number=%2B15550000004",
        &[1, 3],
    )
    .await;
    expect(
        &s,
        &ids,
        "web3_wallet=0x3333333333333333333333333333333333333333",
        &[2],
    )
    .await;
    expect(&s, &ids, "username=DAVE_D&username=bob_b", &[1, 3]).await;
    expect(&s, &ids, "external_id=ext-a&external_id=%2Bext-d", &[0, 3]).await;
    expect(&s, &ids, "external_id=-ext-a", &[1, 2, 3, 4]).await;
    expect(
        &s,
        &ids,
        &format!("user_id={}&user_id=%2B{}", ids[1], ids[2]),
        &[1, 2],
    )
    .await;
    expect(
        &s,
        &ids,
        &format!("user_id=-{}&user_id=-{}", ids[1], ids[2]),
        &[0, 3, 4],
    )
    .await;
    expect(
        &s,
        &ids,
        "email_address=alice@alpha.com&phone_number=%2B15550000002",
        &[],
    )
    .await;
    let too_many: String = (0..101).map(|i| format!("user_id=u{i}&")).collect();
    s.get(&format!("/users?{too_many}"))
        .await
        .form_err("form_param_array_size_exceeded", "user_id");
    s.get(&format!("/users/count?{too_many}"))
        .await
        .form_err("form_param_array_size_exceeded", "user_id");
}

async fn search_filters(s: TestServer) {
    let ids = seed(&s).await;
    expect(&s, &ids, "query=alpha", &[0, 2]).await;
    expect(&s, &ids, "query=ALICE", &[0]).await;
    expect(&s, &ids, "query=%40a", &[0, 2]).await; // short needles work too (no index)
    expect(&s, &ids, "name_query=al", &[0, 4]).await;
    expect(&s, &ids, "query=5550000004", &[3]).await;
    expect(&s, &ids, "query=dave_", &[3]).await;
    expect(&s, &ids, "query=0x3333", &[2]).await;
    expect(&s, &ids, &format!("query={}", &ids[1][5..20]), &[1]).await;
    expect(&s, &ids, "query=young", &[1]).await;
    expect(&s, &ids, "email_address_query=ALPHA.c", &[0, 2]).await;
    expect(&s, &ids, "email_address_query=young", &[]).await;
    expect(&s, &ids, "phone_number_query=0002", &[1]).await;
    expect(&s, &ids, "username_query=_C", &[2]).await;
    expect(&s, &ids, "name_query=carol%20x", &[2]).await;
    expect(&s, &ids, "name_query=wal", &[4]).await;
    expect(&s, &ids, "query=%25", &[]).await;
    expect(&s, &ids, "query=a%22b", &[]).await;
    expect(&s, &ids, "query=alpha&name_query=car", &[2]).await;
    // Text that runs from one field into the next (alice@alpha.com, then +15550000001) is not
    // in any one field: no match, although PostgreSQL's index covers the fields joined.
    expect(&s, &ids, "query=alpha.com%0A%2B1555", &[]).await;
    expect(&s, &ids, "query=alpha.com%20%2B1555", &[]).await;
}

async fn state_and_time_filters(s: TestServer) {
    let ids = seed(&s).await;
    expect(&s, &ids, "banned=true", &[1]).await;
    expect(&s, &ids, "banned=false", &[0, 2, 3, 4]).await;
    let t2021 = 1_609_459_200_000i64;
    let t2023 = 1_672_531_200_000i64;
    expect(&s, &ids, &format!("created_at_after={t2021}"), &[2, 3, 4]).await;
    expect(&s, &ids, &format!("created_at_before={t2023}"), &[0, 1, 2]).await;
    expect(
        &s,
        &ids,
        &format!("created_at_after={t2021}&created_at_before={t2023}"),
        &[2],
    )
    .await;
    // Nobody has signed in or been active on this server: bounds match no one.
    expect(&s, &ids, "last_active_at_after=0", &[]).await;
    expect(&s, &ids, "last_active_at_since=0", &[]).await;
    expect(&s, &ids, "last_active_at_before=99999999999999", &[]).await;
    expect(&s, &ids, "last_sign_in_at_after=0", &[]).await;
    expect(&s, &ids, "last_sign_in_at_before=99999999999999", &[]).await;
    s.get("/users?created_at_after=yesterday")
        .await
        .err(400, "invalid_query_parameter_value");
}

async fn organization_and_provider_filters(s: TestServer) {
    let ids = seed(&s).await;
    // No endpoint creates memberships or external accounts yet: rows are put in place directly.
    let now = 1_700_000_000_000i64;
    s.exec_sql(&format!(
        "INSERT INTO organization_memberships (id, organization_id, user_seq, role, created_at, updated_at)
           SELECT 'orgmem_1', 'org_a', seq, 'org:admin', {now}, {now} FROM users WHERE id = '{a}';
         INSERT INTO organization_memberships (id, organization_id, user_seq, role, created_at, updated_at)
           SELECT 'orgmem_2', 'org_b', seq, 'org:member', {now}, {now} FROM users WHERE id = '{c}';
         INSERT INTO external_accounts (id, user_seq, provider, provider_user_id, created_at, updated_at)
           SELECT 'eac_1', seq, 'oauth_google', 'g-123', {now}, {now} FROM users WHERE id = '{b}';",
        a = ids[0],
        c = ids[2],
        b = ids[1],
    ))
    .await;
    expect(&s, &ids, "organization_id=org_a", &[0]).await;
    expect(
        &s,
        &ids,
        "organization_id=%2Borg_a&organization_id=org_b",
        &[0, 2],
    )
    .await;
    expect(&s, &ids, "organization_id=-org_a", &[1, 2, 3, 4]).await;
    expect(
        &s,
        &ids,
        "provider=oauth_google&provider_user_id=g-123",
        &[1],
    )
    .await;
    expect(
        &s,
        &ids,
        "provider=oauth_github&provider_user_id=g-123",
        &[],
    )
    .await;
    s.get("/users?provider=oauth_google")
        .await
        .form_err("form_conditional_param_missing", "provider_user_id");
    s.get("/users/count?provider_user_id=g-1")
        .await
        .form_err("form_conditional_param_missing", "provider");
    let user: Value = s.get(&format!("/users/{}", ids[1])).await.ok();
    assert_eq!(user["external_accounts"][0]["provider"], "oauth_google");
}

crate::on_both_stores!(
    default_order_limit_and_shape,
    offset_and_cursor_paging_agree,
    order_by_every_field,
    identifier_filters,
    search_filters,
    state_and_time_filters,
    organization_and_provider_filters,
);
