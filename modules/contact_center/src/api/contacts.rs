//! Contacts, bulk import and call lists.

use frontline_platform::body::JsonBody;
use frontline_platform::write;
use frontline_platform::{BearerAuth, Platform, RequestMeta};
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::OpenApi;

use super::common::*;
use crate::common::*;
use crate::model::ContactQuery;
use crate::model::*;
use crate::service::contacts as service;

pub struct ContactsApi {
    pub p: Platform,
}

#[OpenApi(tag = "Tag::Contacts")]
impl ContactsApi {
    /// List contacts in id order. Users see contacts of their own campaigns.
    #[oai(path = "/api/v1/contacts", method = "get")]
    // One argument per documented query parameter: poem-openapi has no
    // parameter structs (poem-web/poem#432).
    #[allow(clippy::too_many_arguments)]
    async fn list_contacts(
        &self,
        auth: BearerAuth,
        campaign_id: Query<Option<i64>>,
        /// pending, called, completed or failed.
        status: Query<Option<crate::model::ContactStatus>>,
        /// Text in the name, e-mail, phone number or company (at most 200 characters).
        search: Query<Option<String>>,
        /// Lowest priority included.
        priority_min: Query<Option<i64>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))] limit: Query<Option<i64>>,
        #[oai(validator(minimum(value = "0")))] offset: Query<Option<i64>>,
    ) -> Result<Paged<Contact>> {
        let status = Query(status.0.map(|v| v.as_str().to_string()));
        let w = window(&self.p, limit.0, offset.0)?;
        let q = ContactQuery {
            campaign_id: campaign_id.0,
            status: status.0.clone(),
            search: search.0.clone(),
            priority_min: priority_min.0,
            ..Default::default()
        };
        let (items, total) = self
            .p
            .db
            .read(move |c| service::list(c, &auth.0, q, w))
            .await?;
        let f = Filters::new()
            .add("campaign_id", campaign_id.0)
            .add("status", status.0)
            .add("search", search.0)
            .add("priority_min", priority_min.0);
        Ok(paged(items, w, "/api/v1/contacts", f, total))
    }

    /// Create a contact. The phone number must be E.164 and unique within the
    /// campaign (409 `DUPLICATE_RESOURCE`).
    #[oai(path = "/api/v1/contacts", method = "post")]
    async fn create_contact(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        body: JsonBody<ContactCreate>,
    ) -> Result<Created<Contact>> {
        let c = write::transact(&self.p.db, Some(auth.0), meta, move |w| {
            service::create(w, body.0)
        })
        .await?;
        Ok(Created::Created(Json(c)))
    }

    /// Import contacts in bulk (up to 50000 rows, one transaction). Valid rows
    /// are imported; each invalid row (bad phone or e-mail, missing name,
    /// number already in the campaign or repeated in the file) is reported in
    /// `errors` with its 1-based row number.
    #[oai(path = "/api/v1/contacts/import", method = "post")]
    async fn import_contacts(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        body: JsonBody<ContactImport>,
    ) -> Result<Created<ImportResult>> {
        let r = write::transact(&self.p.db, Some(auth.0), meta, move |w| {
            service::import(w, body.0)
        })
        .await?;
        Ok(Created::Created(Json(r)))
    }

    /// Extension: get one contact.
    #[oai(
        path = "/api/v1/contacts/:contact_id",
        method = "get",
        tag = "Tag::Extensions"
    )]
    async fn get_contact(&self, auth: BearerAuth, contact_id: Path<i64>) -> Result<Json<Contact>> {
        let c = self
            .p
            .db
            .read(move |c| service::get(c, &auth.0, contact_id.0))
            .await?;
        Ok(Json(c))
    }

    /// Update a contact; fields left out keep their value.
    #[oai(path = "/api/v1/contacts/:contact_id", method = "put")]
    async fn update_contact(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        contact_id: Path<i64>,
        body: JsonBody<ContactUpdate>,
    ) -> Result<Json<Contact>> {
        let c = write::transact(&self.p.db, Some(auth.0), meta, move |w| {
            service::update(w, contact_id.0, body.0)
        })
        .await?;
        Ok(Json(c))
    }

    /// Delete a contact (its recorded calls keep their figures).
    #[oai(path = "/api/v1/contacts/:contact_id", method = "delete")]
    async fn delete_contact(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        contact_id: Path<i64>,
    ) -> Result<Deleted> {
        write::transact(&self.p.db, Some(auth.0), meta, move |w| {
            service::delete(w, contact_id.0)
        })
        .await?;
        Ok(Deleted::NoContent)
    }

    /// List call lists, each with how many contacts match it now.
    #[oai(path = "/api/v1/call-lists", method = "get")]
    async fn list_call_lists(
        &self,
        auth: BearerAuth,
        campaign_id: Query<Option<i64>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))] limit: Query<Option<i64>>,
        #[oai(validator(minimum(value = "0")))] offset: Query<Option<i64>>,
    ) -> Result<Paged<CallList>> {
        let w = window(&self.p, limit.0, offset.0)?;
        let cid = campaign_id.0;
        let (items, total) = self
            .p
            .db
            .read(move |c| service::list_call_lists(c, &auth.0, cid, w))
            .await?;
        Ok(paged(
            items,
            w,
            "/api/v1/call-lists",
            Filters::new().add("campaign_id", cid),
            total,
        ))
    }

    /// Create a call list: a saved filter (priority_min/max, status, search,
    /// max_attempts) and an order over a campaign's contacts.
    #[oai(path = "/api/v1/call-lists", method = "post")]
    async fn create_call_list(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        body: JsonBody<CallListCreate>,
    ) -> Result<Created<CallList>> {
        let l = write::transact(&self.p.db, Some(auth.0), meta, move |w| {
            service::create_call_list(w, body.0)
        })
        .await?;
        Ok(Created::Created(Json(l)))
    }

    /// Extension: get one call list.
    #[oai(
        path = "/api/v1/call-lists/:list_id",
        method = "get",
        tag = "Tag::Extensions"
    )]
    async fn get_call_list(&self, auth: BearerAuth, list_id: Path<i64>) -> Result<Json<CallList>> {
        let l = self
            .p
            .db
            .read(move |c| service::get_call_list(c, &auth.0, list_id.0))
            .await?;
        Ok(Json(l))
    }

    /// Extension: the contacts a call list resolves to now, in its order.
    #[oai(
        path = "/api/v1/call-lists/:list_id/contacts",
        method = "get",
        tag = "Tag::Extensions"
    )]
    async fn call_list_contacts(
        &self,
        auth: BearerAuth,
        list_id: Path<i64>,
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))] limit: Query<Option<i64>>,
        #[oai(validator(minimum(value = "0")))] offset: Query<Option<i64>>,
    ) -> Result<Paged<Contact>> {
        let w = window(&self.p, limit.0, offset.0)?;
        let id = list_id.0;
        let (items, total) = self
            .p
            .db
            .read(move |c| service::call_list_contacts(c, &auth.0, id, w))
            .await?;
        Ok(paged(
            items,
            w,
            &format!("/api/v1/call-lists/{id}/contacts"),
            Filters::new(),
            total,
        ))
    }

    /// Extension: delete a call list (its contacts stay).
    #[oai(
        path = "/api/v1/call-lists/:list_id",
        method = "delete",
        tag = "Tag::Extensions"
    )]
    async fn delete_call_list(
        &self,
        auth: BearerAuth,
        meta: RequestMeta,
        list_id: Path<i64>,
    ) -> Result<Deleted> {
        write::transact(&self.p.db, Some(auth.0), meta, move |w| {
            service::delete_call_list(w, list_id.0)
        })
        .await?;
        Ok(Deleted::NoContent)
    }
}
