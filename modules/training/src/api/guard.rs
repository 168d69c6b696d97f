//! The caller with a permission, in the handler's type: `Can<ScenarioRead>`
//! authenticates (Bearer, declared in the document as `BearerAuth`) and
//! checks the permission before any parameter or body is read, so a caller
//! without it gets 403 and learns nothing of the schema.

use std::marker::PhantomData;

use frontline_platform::auth::Principal;
use frontline_platform::BearerAuth;
use poem::{Request, RequestBody};
use poem_openapi::registry::Registry;
use poem_openapi::{ApiExtractor, ApiExtractorType, ExtractParamOptions};

use crate::service::require;

/// A permission of the document.
pub trait Permission: Send + Sync + 'static {
    const NAME: &'static str;
}

macro_rules! permissions {
    ($($ty:ident => $name:literal),* $(,)?) => {
        $(
            #[doc = concat!("`", $name, "`")]
            pub struct $ty;
            impl Permission for $ty {
                const NAME: &'static str = $name;
            }
        )*
    };
}

permissions! {
    ScenarioRead => "scenario:read",
    ScenarioCreate => "scenario:create",
    ScenarioUpdate => "scenario:update",
    ScenarioPublish => "scenario:publish",
    ScenarioDelete => "scenario:delete",
    ScenarioAdmin => "scenario:admin",
    TemplateRead => "template:read",
}

/// An authenticated caller holding permission `P`.
pub struct Can<P: Permission>(pub Principal, PhantomData<P>);

impl<'a, P: Permission> ApiExtractor<'a> for Can<P> {
    const TYPES: &'static [ApiExtractorType] = <BearerAuth as ApiExtractor<'a>>::TYPES;
    type ParamType = <BearerAuth as ApiExtractor<'a>>::ParamType;
    type ParamRawType = <BearerAuth as ApiExtractor<'a>>::ParamRawType;

    fn register(registry: &mut Registry) {
        <BearerAuth as ApiExtractor<'a>>::register(registry);
    }

    fn security_schemes() -> Vec<&'static str> {
        <BearerAuth as ApiExtractor<'a>>::security_schemes()
    }

    async fn from_request(
        request: &'a Request,
        body: &mut RequestBody,
        param_opts: ExtractParamOptions<Self::ParamType>,
    ) -> poem::Result<Self> {
        let auth =
            <BearerAuth as ApiExtractor<'a>>::from_request(request, body, param_opts).await?;
        require(&auth.0, P::NAME)?;
        Ok(Can(auth.0, PhantomData))
    }
}
